namespace PrunerCluster.Client.Results;

/// <summary>The classic comparison: the same network pruned uniformly (every layer by the same fraction) with the same recovery.</summary>
public sealed record UniformSweep
{
    public const string FileName = "baseline-sweep.json";

    public required IReadOnlyList<UniformSweepPoint> Points { get; init; }
}

/// <summary>One uniform pruning level: <see cref="PrunedFraction"/> of every layer's channels removed, and what was measured.</summary>
public sealed record UniformSweepPoint
{
    public double PrunedFraction { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    public string? FailureReason { get; init; }
}
