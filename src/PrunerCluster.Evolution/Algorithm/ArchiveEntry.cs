namespace PrunerCluster.Evolution;

/// <summary>A member of the Pareto front: the candidate id, its genome, its raw evaluation and the rung it was measured at.</summary>
public sealed record ArchiveEntry(long CandidateId, Genome Genome, Evaluation Evaluation, int Rung = 0);
