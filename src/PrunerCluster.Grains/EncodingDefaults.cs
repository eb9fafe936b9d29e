using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Grains;

/// <summary>Operator and seeding choices that follow from a prepared experiment's genome encoding and the spec's overrides.</summary>
internal static class EncodingDefaults
{
    /// <summary>
    /// Keep ratios of the uniformly pruned seeds (what uniform pruning by the importance order would pick) in the first
    /// population, and of the one-rule seeds: about 9 %, 20 % and 42 % of a convolution chain's MACs (a layer's MACs go with
    /// the square of the kept share), a factor of about 2.1 apart, so the first population holds each rule's masks across
    /// the cheap half of the cost axis, where the quality benchmark found the rules hardest to beat.
    /// </summary>
    public static readonly double[] SeedKeepRatios = [0.3, 0.45, 0.65];

    /// <summary>Keep densities the random members of a level-encoded first population are centred on, cycled.</summary>
    public static readonly double[] LevelDensities = [0.3, 0.45, 0.6, 0.75, 0.9];

    /// <summary>Per-layer variation of a random level genome around its centre, as a fraction of the level range.</summary>
    public const double LevelSpread = 0.15;

    public static bool IsLevelEncoding(PreparedExperiment prepared) =>
        prepared.Encoding is GenomeEncodings.KeepRatio or GenomeEncodings.Hybrid && prepared.KeepLevels > 1;

    /// <summary>
    /// Level fractions of the uniformly pruned seeds that keep <see cref="SeedKeepRatios"/> of every layer: with per-value
    /// keep fractions (<see cref="LevelKeepFractions"/>) simply 1 - ratio; for experiments prepared before them, positions
    /// in the range of <see cref="PreparedExperiment.KeepLevels"/> levels.
    /// </summary>
    public static double[] SeedLevelFractions(PreparedExperiment prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (prepared.LevelCounts is not null)
        {
            return [.. SeedKeepRatios.Select(r => 1 - r)];
        }

        var levels = prepared.KeepLevels;
        return [.. SeedKeepRatios.Select(r => Math.Clamp((1 - r) * levels / (levels - 1), 0, 1))];
    }

    /// <summary>Per segment, the fraction of its units each level-gene value keeps (<see cref="PreparedExperiment.LevelCounts"/>); null without them.</summary>
    public static double[][]? LevelKeepFractions(PreparedExperiment prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (prepared.LevelCounts is not { } counts)
        {
            return null;
        }

        return [.. prepared.Segments.Select(s => counts.TryGetValue(s.Name, out var widths) && widths.Length > 0
            ? widths.Select(w => (double)w / widths[0]).ToArray()
            : [1.0])];
    }

    /// <summary>
    /// The first population's seeding for a prepared experiment: the unpruned genome, then uniform magnitude pruning at
    /// <see cref="SeedKeepRatios"/> (as channel masks or as uniform levels), then random genomes, which for level
    /// encodings share one pruning strength per genome with per-layer variation.
    /// </summary>
    public static Nsga2Settings Seeding(Nsga2Settings settings, PreparedExperiment prepared)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(prepared);
        if (IsLevelEncoding(prepared))
        {
            return settings with
            {
                SeedLevelFractions = SeedLevelFractions(prepared),
                SeedGenomes = RuleSeeds(prepared),
                LevelKeepFractions = LevelKeepFractions(prepared),
                InitialDensities = LevelDensities,
                InitialLevelSpread = LevelSpread,
            };
        }

        return prepared.SegmentImportance is { Count: > 0 } importance
            ? settings with { SeedRankings = [new SeedRanking("magnitude", importance, SeedKeepRatios)] }
            : settings;
    }

    /// <summary>
    /// The one-rule baselines at <see cref="RuleSeedKeepRatios"/>: a global importance threshold (network slimming) and
    /// LAMP, as level genomes; none without per-unit importance or per-value keep fractions.
    /// </summary>
    public static IReadOnlyList<string>? RuleSeeds(PreparedExperiment prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (prepared.SegmentImportance is not { Count: > 0 } importance || LevelKeepFractions(prepared) is not { } fractions)
        {
            return null;
        }

        var layout = EvolutionMapping.Layout(prepared);
        return [.. RuleSeedKeepRatios.SelectMany(ratio => new[] { PruningRule.GlobalThreshold, PruningRule.Lamp }
            .Select(rule => RuleInitialization.Create(layout, importance, rule, ratio, fractions).ToCanonicalString()))];
    }

    /// <summary>Global keep ratios of the rule-based seeds: those of the uniform seeds.</summary>
    public static readonly double[] RuleSeedKeepRatios = SeedKeepRatios;

    public static SelectionKind Selection(string? name) => name is null ? SelectionKind.BinaryTournament : Parse<SelectionKind>(name, "search.selection");

    /// <summary>Keep levels blend between the parents (arithmetic) by default; channel bits mix uniformly.</summary>
    public static CrossoverKind Crossover(string? name, PreparedExperiment prepared) =>
        name is not null ? Parse<CrossoverKind>(name, "search.crossover") : IsLevelEncoding(prepared) ? CrossoverKind.Arithmetic : CrossoverKind.Uniform;

    /// <summary>Ordinal keep levels step (creep) by default; channel bits flip.</summary>
    public static MutationKind Mutation(string? name, PreparedExperiment prepared) =>
        name is not null ? Parse<MutationKind>(name, "search.mutation") : IsLevelEncoding(prepared) ? MutationKind.Creep : MutationKind.BitFlip;

    private static T Parse<T>(string name, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(name.Trim(), ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new ArgumentException($"{field}: unknown value '{name}'; expected one of {string.Join(", ", Enum.GetNames<T>())}", field);
}
