using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Coordination;

/// <summary>The answer to one start (or poll) of an in-flight evaluation: a cached outcome, null (started or joined), or the error.</summary>
public sealed record DispatchResult(InFlightEvaluation Entry, EvaluationOutcome? Outcome, Exception? Error);
