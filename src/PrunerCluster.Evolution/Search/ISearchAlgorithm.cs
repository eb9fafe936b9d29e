namespace PrunerCluster.Evolution;

/// <summary>
/// An ask/tell search over a <see cref="Problem"/>'s genomes: <see cref="Ask"/> proposes candidates, <see cref="Tell"/> and
/// <see cref="TellFailure"/> report their results, <see cref="ParetoFront"/> is the best found so far, and
/// <see cref="SaveState"/> is the plain-data snapshot that <see cref="SearchStates.Restore"/> continues from. NSGA-II,
/// random search and the rule baselines are implementations; one caller drives an instance (not thread-safe).
/// </summary>
public interface ISearchAlgorithm
{
    /// <summary>The algorithm's name as stored in its state (<see cref="SearchStates"/>).</summary>
    string Algorithm { get; }

    Problem Problem { get; }

    /// <summary>Completed generations, or batches of that size for algorithms without generations.</summary>
    int Generation { get; }

    /// <summary>Results told so far, failures included.</summary>
    int EvaluationCount { get; }

    int FailureCount { get; }

    bool IsTerminated { get; }

    /// <summary>Fraction of the run done, in [0, 1].</summary>
    double Progress { get; }

    IReadOnlyCollection<long> PendingIds { get; }

    /// <summary>The non-dominated feasible set of everything evaluated, ordered by candidate id.</summary>
    IReadOnlyList<ArchiveEntry> ParetoFront { get; }

    /// <summary>Up to <paramref name="maxCount"/> new candidates, never a genome proposed before; fewer (possibly none) when the algorithm waits or is done.</summary>
    IReadOnlyList<Candidate> Ask(int maxCount);

    void Tell(long candidateId, Evaluation evaluation);

    /// <summary>The candidate could not be evaluated: counted, and its genome is not proposed again.</summary>
    void TellFailure(long candidateId, string reason);

    /// <summary>Hypervolume of the Pareto front; <paramref name="referencePoint"/> is in raw objective units and directions.</summary>
    double Hypervolume(double[] referencePoint);

    ISearchState SaveState();
}
