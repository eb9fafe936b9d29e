namespace PrunerCluster.Evolution;

/// <summary>Independent bit flips at the given rate; each integer gene is redrawn to a different value at the same rate.</summary>
public sealed class BitFlipMutation : IMutation
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
            if (max > 0)
            {
                builder.SetInt(g, MutationHelpers.RedrawInt(builder.GetInt(g), max, random));
            }
        });
        return builder.ToGenome();
    }
}
