using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Live;

/// <summary>What the progress views show at one moment.</summary>
public sealed record ProgressSnapshot
{
    public required ExperimentStatus Status { get; init; }
    public ParetoSet? Pareto { get; init; }
    public int? MaxEvaluations { get; init; }
    public double? EvaluationsPerSecond { get; init; }
    public TimeSpan? Eta { get; init; }

    /// <summary>In-flight evaluations over the slots the scheduler grants this experiment (null when it grants none yet).</summary>
    public double? SlotUtilisation => Status.SlotShare > 0 ? (double)BusySlots / Status.SlotShare : null;

    /// <summary>Slots of the share that are busy: evaluations queued on a silo beyond its running ones occupy no slot.</summary>
    public int BusySlots => Math.Min(Status.InFlight, Status.SlotShare);
}
