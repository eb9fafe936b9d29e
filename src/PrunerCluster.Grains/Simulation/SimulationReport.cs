namespace PrunerCluster.Grains.Simulation;

/// <summary>One experiment's outcome: its weight, its share of the measured slot-time and the share its weight entitles it to.</summary>
public sealed record ExperimentShare(string ExperimentId, double Weight, double SlotSeconds, double Share, double Entitled, long Completed)
{
    /// <summary>Share over entitlement, minus one (0 = exactly fair).</summary>
    public double Deviation => Entitled > 0 ? (Share / Entitled) - 1 : 0;
}

/// <summary>
/// What <see cref="ClusterSimulation"/> measured: utilization of the slots after warm-up (held, and useful), each experiment's share,
/// evaluations completed, re-issued and lost, silo failures, and the wall time of the scheduler's decisions (one
/// <c>Acquire</c> each) and of the coordinators' dispatch planning.
/// </summary>
public sealed record SimulationReport
{
    public required SimulationConfig Config { get; init; }

    /// <summary>Slot-seconds held by evaluations over the slot-seconds of the silos in the scheduler's capacity.</summary>
    public double Utilization { get; init; }

    /// <summary>As <see cref="Utilization"/>, less the slot-seconds of work lost with failed silos (re-issued and run again).</summary>
    public double UsefulUtilization { get; init; }

    public IReadOnlyList<ExperimentShare> Shares { get; init; } = [];

    public long Completed { get; init; }

    public long Reissued { get; init; }

    /// <summary>Candidates handed out that were neither completed once nor still in flight at the end (must be 0).</summary>
    public long Lost { get; init; }

    /// <summary>Completions reported more than once for one candidate (must be 0).</summary>
    public long Duplicates { get; init; }

    public long SiloFailures { get; init; }

    public long Decisions { get; init; }

    public long Granted { get; init; }

    public double DecisionMicros { get; init; }

    /// <summary>The median decision: on a shared machine the mean carries every preemption that fell inside a decision.</summary>
    public double DecisionP50Micros { get; init; }

    public double DecisionP99Micros { get; init; }

    public double PlanMicros { get; init; }

    /// <summary>Wall time of one placement choice (per evaluation dispatched).</summary>
    public double PlacementMicros { get; init; }

    public double WallSeconds { get; init; }

    public double MaxDeviation => Shares.Count == 0 ? 0 : Shares.Max(s => Math.Abs(s.Deviation));

    public double MedianDeviation => Shares.Count == 0 ? 0 : Shares.Select(s => Math.Abs(s.Deviation)).Order().ElementAt(Shares.Count / 2);
}
