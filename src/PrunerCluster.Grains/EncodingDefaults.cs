using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Grains;

/// <summary>Operator and seeding choices that follow from a prepared experiment's genome encoding and the spec's overrides.</summary>
internal static class EncodingDefaults
{
    /// <summary>Keep ratios of the uniformly pruned seeds (what uniform L1 pruning would pick) in the first population.</summary>
    public static readonly double[] SeedKeepRatios = [0.25, 0.5, 0.75];

    public static bool IsLevelEncoding(PreparedExperiment prepared) =>
        prepared.Encoding is GenomeEncodings.KeepRatio or GenomeEncodings.Hybrid && prepared.KeepLevels > 1;

    /// <summary>Level-gene fractions (of IntGeneMax) that keep <see cref="SeedKeepRatios"/> of every layer.</summary>
    public static double[] SeedLevelFractions(PreparedExperiment prepared)
    {
        var levels = prepared.KeepLevels;
        return [.. SeedKeepRatios.Select(r => Math.Clamp((1 - r) * levels / (levels - 1), 0, 1))];
    }

    public static SelectionKind Selection(string? name) => name is null ? SelectionKind.BinaryTournament : Parse<SelectionKind>(name, "search.selection");

    public static CrossoverKind Crossover(string? name) => name is null ? CrossoverKind.Uniform : Parse<CrossoverKind>(name, "search.crossover");

    /// <summary>Ordinal keep levels step (creep) by default; channel bits flip.</summary>
    public static MutationKind Mutation(string? name, PreparedExperiment prepared) =>
        name is not null ? Parse<MutationKind>(name, "search.mutation") : IsLevelEncoding(prepared) ? MutationKind.Creep : MutationKind.BitFlip;

    private static T Parse<T>(string name, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(name.Trim(), ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new ArgumentException($"{field}: unknown value '{name}'; expected one of {string.Join(", ", Enum.GetNames<T>())}", field);
}
