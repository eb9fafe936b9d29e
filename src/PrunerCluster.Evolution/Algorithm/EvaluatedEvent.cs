namespace PrunerCluster.Evolution;

/// <summary>A result was told: <paramref name="Evaluation"/> is null for a failure, then <paramref name="FailureReason"/> says why.</summary>
public sealed record EvaluatedEvent(Candidate Candidate, Evaluation? Evaluation, string? FailureReason, bool EnteredParetoFront, int EvaluationCount);
