namespace PrunerCluster.Evolution;

/// <summary>An evaluated individual: genome canonical text, raw evaluation and the rung it was measured at.</summary>
public sealed record IndividualState(long Id, string Genome, int Generation, double[] Objectives, double ConstraintViolation, int Rung = 0);
