namespace PrunerCluster.Evolution;

/// <summary>One successful result at a rung: objectives in minimization form, whether it was promoted already.</summary>
public sealed record RungEntry(long CandidateId, double[] Minimized, double Violation, bool Promoted);
