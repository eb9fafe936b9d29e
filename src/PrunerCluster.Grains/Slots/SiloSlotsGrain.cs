namespace PrunerCluster.Grains.Slots;

/// <summary>What one silo's slot executor holds right now: the truth the scheduler's books are rebuilt from.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.SiloSlotReport")]
public sealed record SiloSlotReport
{
    /// <summary>Parsable address of the silo that answered.</summary>
    [Id(0)] public required string Silo { get; init; }
    [Id(1)] public int Slots { get; init; }
    [Id(2)] public int Running { get; init; }
    [Id(3)] public int Queued { get; init; }

    /// <summary>Evaluations accepted whose result is not yet delivered (what coordinators count as held).</summary>
    [Id(4)] public int Outstanding { get; init; }
}

/// <summary>One per silo (key: the silo's parsable address), placed on that silo through the slot-placement hint.</summary>
[Alias("prunercluster.ISiloSlotsGrain")]
public interface ISiloSlotsGrain : IGrainWithStringKey
{
    /// <summary>This silo's slot counts; null when the activation is not on the silo its key names (that silo is gone).</summary>
    [Alias("Report")]
    Task<SiloSlotReport?> Report();
}

[SlotPlacement]
internal sealed class SiloSlotsGrain(SlotExecutor executor) : Grain, ISiloSlotsGrain
{
    public Task<SiloSlotReport?> Report()
    {
        if (!string.Equals(this.GetPrimaryKeyString(), executor.SiloName, StringComparison.Ordinal))
        {
            this.DeactivateOnIdle();
            return Task.FromResult<SiloSlotReport?>(null);
        }

        return Task.FromResult<SiloSlotReport?>(new SiloSlotReport
        {
            Silo = executor.SiloName,
            Slots = executor.Slots,
            Running = executor.Running,
            Queued = executor.Queued,
            Outstanding = executor.Outstanding,
        });
    }
}
