namespace PrunerCluster.Evolution;

/// <summary>
/// A genome handed out for evaluation; <paramref name="Id"/> is what <see cref="Nsga2.Tell"/> takes back.
/// <paramref name="Rung"/> is the fidelity to evaluate it at (0 = the cheapest; a promotion re-issues a genome one rung up).
/// </summary>
public sealed record Candidate(long Id, Genome Genome, int Generation, int Rung = 0);
