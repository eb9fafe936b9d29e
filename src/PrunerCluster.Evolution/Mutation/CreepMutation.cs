namespace PrunerCluster.Evolution;

/// <summary>
/// For ordinal integer genes (keep levels): each gene moves one step up or down (two steps with probability 1/4) with the
/// mutation rate, clamped to [0, IntGeneMax]; bits flip independently at the same rate.
/// </summary>
public sealed class CreepMutation : IMutation
{
    public Genome Mutate(Genome genome, double rate, RandomSource random)
    {
        MutationHelpers.Check(genome, rate, random);
        var builder = genome.ToBuilder();
        var layout = genome.Layout;
        MutationHelpers.ForEachHit(layout.TotalBits + layout.TotalIntGenes, rate, random, i =>
        {
            if (i < layout.TotalBits)
            {
                builder.FlipBit(i);
                return;
            }

            var g = i - layout.TotalBits;
            var max = layout.Segments[builder.SegmentOfInt(g)].IntGeneMax;
            if (max == 0)
            {
                return;
            }

            var step = random.NextBool(0.25) ? 2 : 1;
            var current = builder.GetInt(g);
            var up = current == 0 || (current < max && random.NextBool(0.5));
            builder.SetInt(g, Math.Clamp(up ? current + step : current - step, 0, max));
        });
        return builder.ToGenome();
    }
}
