namespace PrunerCluster.Grains.Coordination;

/// <summary>What the coordinator does about one in-flight evaluation on a tick.</summary>
public enum LeaseAction
{
    /// <summary>Heard of recently, or still waiting for a slot: nothing to do.</summary>
    Wait,

    /// <summary>Not heard of within the lease: ask the individual again (idempotent: returns, joins or re-runs).</summary>
    Poll,

    /// <summary>Its silo left the membership: its work died with it; get a fresh slot and run it elsewhere.</summary>
    Reissue,
}

/// <summary>The lease rule for in-flight evaluations, free of Orleans: a dead silo means re-issue, silence beyond the lease means poll.</summary>
public sealed class LeasePolicy(TimeSpan lease)
{
    public TimeSpan Lease { get; } = lease > TimeSpan.Zero ? lease : throw new ArgumentOutOfRangeException(nameof(lease), lease, "lease must be positive");

    public LeaseAction Decide(InFlightEvaluation entry, DateTimeOffset now, Func<string, bool> siloIsActive)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(siloIsActive);
        if (entry.Silo is null)
        {
            return LeaseAction.Wait;
        }

        if (!siloIsActive(entry.Silo))
        {
            return LeaseAction.Reissue;
        }

        return now - entry.LastContact >= Lease ? LeaseAction.Poll : LeaseAction.Wait;
    }
}
