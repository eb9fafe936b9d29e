namespace PrunerCluster.Evolution;

/// <summary>Restores any <see cref="ISearchAlgorithm"/> from the JSON its <see cref="ISearchAlgorithm.SaveState"/> wrote.</summary>
public static class SearchStates
{
    /// <summary>The algorithm names a state may carry; a state without one is NSGA-II's.</summary>
    public static IReadOnlyList<string> Algorithms { get; } = [Nsga2.AlgorithmName, RandomSearch.AlgorithmName, RuleBaseline.AlgorithmName];

    /// <summary>Throws <see cref="FormatException"/> for JSON that is no known state, <see cref="ArgumentException"/> for a state of another problem.</summary>
    public static ISearchAlgorithm Restore(Problem problem, string json, TimeProvider? time = null, IEvolutionListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var algorithm = SearchStateJson.AlgorithmOf(json);
        return algorithm switch
        {
            Nsga2.AlgorithmName => Nsga2.Restore(problem, AlgorithmState.FromJson(json), time, listener),
            RandomSearch.AlgorithmName => RandomSearch.Restore(problem, RandomSearchState.FromJson(json), time, listener),
            RuleBaseline.AlgorithmName => RuleBaseline.Restore(problem, RuleBaselineState.FromJson(json), time, listener),
            _ => throw new FormatException($"The search state's algorithm '{algorithm}' is unknown; expected one of {string.Join(", ", Algorithms)}."),
        };
    }
}
