namespace PrunerCluster.Evolution;

/// <summary>A member of the Pareto front: the candidate id, its genome and its raw evaluation.</summary>
public sealed record ArchiveEntry(long CandidateId, Genome Genome, Evaluation Evaluation);
