using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Results;

/// <summary>Everything the client shows about one experiment, from a run directory or from the cluster.</summary>
public sealed record ExperimentResults
{
    public required string ExperimentId { get; init; }
    public ExperimentSpec? Spec { get; init; }
    public ExperimentStatus? Status { get; init; }
    public required ParetoSet Pareto { get; init; }
    public IReadOnlyList<EvaluationRecord> Evaluations { get; init; } = [];

    /// <summary>The uniform magnitude-pruning sweep ('prunercluster baseline'), when one was run for this experiment.</summary>
    public UniformSweep? Uniform { get; init; }

    /// <summary>The run directory the results came from (null when read from the cluster).</summary>
    public string? Directory { get; init; }
}
