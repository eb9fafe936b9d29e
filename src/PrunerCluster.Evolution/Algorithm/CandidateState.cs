namespace PrunerCluster.Evolution;

/// <summary>A candidate not yet told: genome canonical text.</summary>
public sealed record CandidateState(long Id, string Genome, int Generation);
