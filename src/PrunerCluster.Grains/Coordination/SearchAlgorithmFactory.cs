using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// The search algorithm an experiment's <see cref="SearchSettings.Algorithm"/> names, built for its prepared problem:
/// NSGA-II (seeded with the rule baselines), random search, or the rule baselines alone (the masks NSGA-II is seeded with).
/// </summary>
public static class SearchAlgorithmFactory
{
    /// <summary>Throws <see cref="ArgumentException"/> naming search.algorithm for an unknown name, or the setting the problem refuses.</summary>
    public static ISearchAlgorithm Create(ExperimentSpec spec, PreparedExperiment prepared, Problem problem, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(problem);
        switch (SearchAlgorithms.Canonical(spec.Search.Algorithm))
        {
            case SearchAlgorithms.Nsga2:
                var settings = EvolutionMapping.Settings(spec, prepared);
                settings.Validate(problem);
                return Nsga2.Create(problem, settings, time);
            case SearchAlgorithms.Random:
                return RandomSearch.Create(problem, EvolutionMapping.RandomSettings(spec), time);
            case SearchAlgorithms.Rules:
                return RuleBaseline.Create(problem, RuleBaselineSettings.FromSeeds(problem, EvolutionMapping.Settings(spec, prepared)), time);
            default:
                throw new ArgumentException($"search.algorithm: unknown value '{spec.Search.Algorithm}'; expected one of {string.Join(", ", SearchAlgorithms.All)}", nameof(spec));
        }
    }

    /// <summary>The search as stored (any algorithm; a state without an algorithm name is NSGA-II's).</summary>
    public static ISearchAlgorithm Restore(Problem problem, string algorithmJson, TimeProvider time) => SearchStates.Restore(problem, algorithmJson, time);
}
