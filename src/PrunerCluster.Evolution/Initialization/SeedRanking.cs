namespace PrunerCluster.Evolution;

/// <summary>
/// Caller-supplied unit importance per segment (higher = more important, e.g. filter L1 norms) and the keep ratios at
/// which classic magnitude-pruning masks enter the first population. Segments missing from <paramref name="Importance"/>
/// are kept whole.
/// </summary>
public sealed record SeedRanking(string Name, IReadOnlyDictionary<string, double[]> Importance, double[] KeepRatios);
