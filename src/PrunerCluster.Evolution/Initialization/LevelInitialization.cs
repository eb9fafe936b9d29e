namespace PrunerCluster.Evolution;

/// <summary>
/// Uniform-level genomes for level encodings: every segment's first integer gene is set to round(fraction * IntGeneMax)
/// and every bit is kept, e.g. "prune every layer by the same ratio" when the gene is a keep level. With keep fractions
/// per gene value (<see cref="Nsga2Settings.LevelKeepFractions"/>) the fraction is a pruning strength instead: every
/// segment takes the value whose keep fraction is nearest 1 - fraction, however many values it has.
/// </summary>
public static class LevelInitialization
{
    public static Genome Create(GenomeLayout layout, double fraction, IReadOnlyList<double[]>? keepFractions = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (double.IsNaN(fraction) || fraction < 0 || fraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The level fraction must be in [0, 1].");
        }

        ValidateKeepFractions(layout, keepFractions, nameof(keepFractions));
        var builder = Genome.Full(layout).ToBuilder();
        for (var s = 0; s < layout.Segments.Count; s++)
        {
            var spec = layout.Segments[s];
            if (spec.IntGenes > 0)
            {
                builder.SetInt(layout.IntOffset(s), keepFractions is null
                    ? (int)Math.Round(fraction * spec.IntGeneMax, MidpointRounding.AwayFromZero)
                    : NearestValue(keepFractions[s], 1 - fraction));
            }
        }

        return builder.ToGenome();
    }

    /// <summary>The gene value whose keep fraction is nearest <paramref name="keep"/>; ties go to the value that keeps more.</summary>
    public static int NearestValue(double[] keepFractions, double keep)
    {
        ArgumentNullException.ThrowIfNull(keepFractions);
        var best = 0;
        for (var v = 1; v < keepFractions.Length; v++)
        {
            if (Math.Abs(keepFractions[v] - keep) < Math.Abs(keepFractions[best] - keep) - 1e-12)
            {
                best = v;
            }
        }

        return best;
    }

    /// <summary>Null, or one array per segment with one keep fraction in [0, 1] per value of the segment's first integer gene.</summary>
    public static void ValidateKeepFractions(GenomeLayout layout, IReadOnlyList<double[]>? keepFractions, string parameter)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (keepFractions is null)
        {
            return;
        }

        if (keepFractions.Count != layout.Segments.Count)
        {
            throw new ArgumentException($"{parameter} has {keepFractions.Count} segments, the layout {layout.Segments.Count}.", parameter);
        }

        for (var s = 0; s < layout.Segments.Count; s++)
        {
            var spec = layout.Segments[s];
            var values = keepFractions[s] ?? throw new ArgumentException($"{parameter}: segment '{spec.Name}' has no keep fractions.", parameter);
            if (spec.IntGenes > 0 && values.Length != spec.IntGeneMax + 1)
            {
                throw new ArgumentException($"{parameter}: segment '{spec.Name}' has {values.Length} keep fractions, its gene {spec.IntGeneMax + 1} values.", parameter);
            }

            if (values.Any(v => double.IsNaN(v) || v < 0 || v > 1))
            {
                throw new ArgumentException($"{parameter}: segment '{spec.Name}' has a keep fraction outside [0, 1].", parameter);
            }
        }
    }
}
