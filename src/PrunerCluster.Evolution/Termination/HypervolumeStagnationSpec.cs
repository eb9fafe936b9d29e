namespace PrunerCluster.Evolution;

/// <summary>
/// Hypervolume stagnation settings. <paramref name="ReferencePoint"/> is in raw objective units; when null the engine fixes
/// one at the end of generation 0: the population's worst value per objective pushed out by 10% of its range (or by 1).
/// </summary>
public sealed record HypervolumeStagnationSpec(int Generations, double Tolerance, double[]? ReferencePoint = null);
