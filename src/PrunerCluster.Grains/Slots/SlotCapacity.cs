namespace PrunerCluster.Grains.Slots;

/// <summary>
/// What the slot scheduler sees of the cluster at one decision: leases per active, non-draining slot silo (slots plus the
/// evaluations queued ahead), each silo's device class, and the slots among those leases that run evaluations.
/// </summary>
internal sealed record SlotCapacity(IReadOnlyDictionary<string, int> Leases, IReadOnlyDictionary<string, string> Classes, int RunSlots)
{
    public int TotalLeases { get; } = Leases.Values.Sum();
}
