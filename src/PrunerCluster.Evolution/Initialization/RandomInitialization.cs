namespace PrunerCluster.Evolution;

/// <summary>
/// Random genomes: each bit kept with probability <c>density</c>; integer genes uniform, or, with a level spread, drawn
/// around the level that matches the density (see <see cref="CreateCorrelated"/>).
/// </summary>
public static class RandomInitialization
{
    public static Genome Create(GenomeLayout layout, double density, RandomSource random) => Build(layout, density, null, random);

    /// <summary>
    /// Like <see cref="Create"/>, but every integer gene (an ordinal level where 0 keeps the most, e.g. a keep or sparsity
    /// level) is drawn uniformly within +-<paramref name="spread"/> x IntGeneMax of (1 - density) x IntGeneMax, clamped to
    /// [0, IntGeneMax]. The genome's layers then share one overall pruning strength with per-layer variation, instead of
    /// independent uniform levels whose weakest layer decides the accuracy.
    /// </summary>
    /// <remarks>
    /// With <paramref name="keepFractions"/> (one per gene value, see <see cref="Nsga2Settings.LevelKeepFractions"/>) each
    /// gene instead takes the value whose keep fraction is nearest a keep target drawn within +-<paramref name="spread"/>
    /// of <paramref name="density"/>, so the density means the same pruning in segments with few and many values.
    /// </remarks>
    public static Genome CreateCorrelated(GenomeLayout layout, double density, double spread, RandomSource random, IReadOnlyList<double[]>? keepFractions = null)
    {
        if (double.IsNaN(spread) || spread < 0 || spread > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(spread), spread, "The level spread must be in [0, 1].");
        }

        LevelInitialization.ValidateKeepFractions(layout, keepFractions, nameof(keepFractions));
        return Build(layout, density, spread, random, keepFractions);
    }

    private static Genome Build(GenomeLayout layout, double density, double? spread, RandomSource random, IReadOnlyList<double[]>? keepFractions = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(random);
        if (double.IsNaN(density) || density < 0 || density > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(density), density, "The density must be in [0, 1].");
        }

        var builder = new GenomeBuilder(layout);
        for (var b = 0; b < layout.TotalBits; b++)
        {
            if (random.NextBool(density))
            {
                builder.SetBit(b, true);
            }
        }

        for (var s = 0; s < layout.Segments.Count; s++)
        {
            var max = layout.Segments[s].IntGeneMax;
            for (var g = layout.IntOffset(s); g < layout.IntOffset(s + 1); g++)
            {
                builder.SetInt(g, (spread, keepFractions) switch
                {
                    ({ } w, { } keep) => LevelInitialization.NearestValue(keep[s], Math.Clamp(density + (((2 * random.NextDouble()) - 1) * w), 0, 1)),
                    ({ } w, null) => Around((1 - density) * max, w * max, max, random),
                    _ => random.NextInt(max + 1),
                });
            }
        }

        return builder.ToGenome();
    }

    private static int Around(double center, double halfWidth, int max, RandomSource random) =>
        Math.Clamp((int)Math.Round(center + (((2 * random.NextDouble()) - 1) * halfWidth), MidpointRounding.AwayFromZero), 0, max);
}
