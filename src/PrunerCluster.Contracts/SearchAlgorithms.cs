namespace PrunerCluster.Contracts;

/// <summary>Names of the search algorithms an experiment may run (<see cref="SearchSettings.Algorithm"/>).</summary>
public static class SearchAlgorithms
{
    /// <summary>NSGA-II, steady-state or generational (<see cref="SearchSettings.Mode"/>), seeded with the rule baselines.</summary>
    public const string Nsga2 = "nsga2";

    /// <summary>Uniform random masks within the encoding's bounds (seed <see cref="SearchSettings.Seed"/>), after the unpruned one.</summary>
    public const string Random = "random";

    /// <summary>The rule baselines only (uniform ladder, global threshold, LAMP; what NSGA-II is seeded with), each once; then it stops.</summary>
    public const string Rules = "rules";

    public const string Default = Nsga2;

    public static IReadOnlyList<string> All { get; } = [Nsga2, Random, Rules];

    /// <summary>The canonical name of <paramref name="name"/> (case-insensitive), the default for null, or null when unknown.</summary>
    public static string? Canonical(string? name)
    {
        if (name is null)
        {
            return Default;
        }

        return All.FirstOrDefault(a => string.Equals(a, name.Trim(), StringComparison.OrdinalIgnoreCase));
    }
}
