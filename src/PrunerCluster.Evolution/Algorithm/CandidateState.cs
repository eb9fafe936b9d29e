namespace PrunerCluster.Evolution;

/// <summary>A candidate not yet told: genome canonical text and its rung.</summary>
public sealed record CandidateState(long Id, string Genome, int Generation, int Rung = 0);
