namespace PrunerCluster.Evolution;

/// <summary>
/// A generation completed (generational: after survival; steady-state: every PopulationSize results).
/// <paramref name="Hypervolume"/> is the stagnation criterion's value when that criterion is configured, else null.
/// </summary>
public sealed record GenerationCompletedEvent(int Generation, int EvaluationCount, int ParetoFrontSize, double Progress, double? Hypervolume);
