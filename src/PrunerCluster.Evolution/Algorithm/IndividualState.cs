namespace PrunerCluster.Evolution;

/// <summary>An evaluated individual: genome canonical text and raw evaluation.</summary>
public sealed record IndividualState(long Id, string Genome, int Generation, double[] Objectives, double ConstraintViolation);
