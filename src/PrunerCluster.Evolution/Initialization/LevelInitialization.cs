namespace PrunerCluster.Evolution;

/// <summary>
/// Uniform-level genomes for level encodings: every segment's first integer gene is set to round(fraction * IntGeneMax)
/// and every bit is kept, e.g. "prune every layer by the same ratio" when the gene is a keep level.
/// </summary>
public static class LevelInitialization
{
    public static Genome Create(GenomeLayout layout, double fraction)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (double.IsNaN(fraction) || fraction < 0 || fraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The level fraction must be in [0, 1].");
        }

        var builder = Genome.Full(layout).ToBuilder();
        for (var s = 0; s < layout.Segments.Count; s++)
        {
            var spec = layout.Segments[s];
            if (spec.IntGenes > 0)
            {
                builder.SetInt(layout.IntOffset(s), (int)Math.Round(fraction * spec.IntGeneMax, MidpointRounding.AwayFromZero));
            }
        }

        return builder.ToGenome();
    }
}
