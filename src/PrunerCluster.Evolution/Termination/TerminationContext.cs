namespace PrunerCluster.Evolution;

/// <summary>What termination criteria look at. <paramref name="HypervolumeHistory"/> holds one value per completed generation.</summary>
public sealed record TerminationContext(int Generation, int EvaluationCount, TimeSpan Elapsed, IReadOnlyList<double> HypervolumeHistory);
