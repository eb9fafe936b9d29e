namespace PrunerCluster.Evolution;

/// <summary>Random genomes: each bit kept with probability <c>density</c>; integer genes uniform.</summary>
public static class RandomInitialization
{
    public static Genome Create(GenomeLayout layout, double density, RandomSource random)
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
                builder.SetInt(g, random.NextInt(max + 1));
            }
        }

        return builder.ToGenome();
    }
}
