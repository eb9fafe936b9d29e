namespace PrunerCluster.Evolution;

/// <summary>
/// The ask/tell books of a non-evolutionary <see cref="ISearchAlgorithm"/> as plain data: ids, counters, pending
/// candidates, the Pareto archive and the hashes of every genome proposed (first 32 hex digits, sorted).
/// </summary>
public sealed record SearchBookState
{
    public long NextId { get; init; }

    public int EvaluationCount { get; init; }

    public int FailureCount { get; init; }

    public long ElapsedTicks { get; init; }

    public IReadOnlyList<CandidateState> Pending { get; init; } = [];

    public IReadOnlyList<IndividualState> Archive { get; init; } = [];

    public IReadOnlyList<string> SeenHashes { get; init; } = [];
}
