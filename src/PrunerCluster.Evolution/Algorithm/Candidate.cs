namespace PrunerCluster.Evolution;

/// <summary>A genome handed out for evaluation; <paramref name="Id"/> is what <see cref="Nsga2.Tell"/> takes back.</summary>
public sealed record Candidate(long Id, Genome Genome, int Generation);
