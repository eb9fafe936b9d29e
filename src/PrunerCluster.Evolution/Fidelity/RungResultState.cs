namespace PrunerCluster.Evolution;

/// <summary>A successful result at a rung, as saved in <see cref="AlgorithmState"/>: genome canonical text and raw objectives.</summary>
public sealed record RungResultState(long Id, int Rung, string Genome, double[] Objectives, double ConstraintViolation, bool Promoted);
