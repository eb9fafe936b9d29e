namespace PrunerCluster.Evolution;

/// <summary>
/// Swaps a random kept unit with a random pruned unit of the same segment, round(rate * L) times on average and at least
/// once, so every segment keeps its density; integer genes move by +-1 at the given rate.
/// </summary>
public sealed class DensityPreservingSwapMutation : IMutation
{
    public Genome Mutate(Genome genome, double rate, RandomSource random)
    {
        MutationHelpers.Check(genome, rate, random);
        var layout = genome.Layout;
        var builder = genome.ToBuilder();
        var swappable = new List<int>();
        for (var s = 0; s < layout.Segments.Count; s++)
        {
            var kept = genome.CountKept(s);
            if (kept > 0 && kept < layout.Segments[s].Bits)
            {
                swappable.Add(s);
            }
        }

        if (swappable.Count > 0)
        {
            var totalBits = swappable.Sum(s => layout.Segments[s].Bits);
            var swaps = Math.Max(1, (int)Math.Floor((rate * layout.TotalBits) + random.NextDouble()));
            for (var k = 0; k < swaps; k++)
            {
                var pick = random.NextInt(totalBits);
                var segment = swappable[^1];
                foreach (var s in swappable)
                {
                    if (pick < layout.Segments[s].Bits)
                    {
                        segment = s;
                        break;
                    }

                    pick -= layout.Segments[s].Bits;
                }

                var keptBits = MutationHelpers.Indices(builder, segment, kept: true);
                var prunedBits = MutationHelpers.Indices(builder, segment, kept: false);
                var on = prunedBits[random.NextInt(prunedBits.Count)];
                var off = keptBits[random.NextInt(keptBits.Count)];
                builder.SetBit(on, true);
                builder.SetBit(off, false);
            }
        }

        MutationHelpers.ForEachHit(layout.TotalIntGenes, rate, random, g =>
        {
            var max = layout.Segments[builder.SegmentOfInt(g)].IntGeneMax;
            var v = builder.GetInt(g);
            var next = v == 0 ? 1 : v == max ? max - 1 : random.NextBool(0.5) ? v + 1 : v - 1;
            if (max > 0)
            {
                builder.SetInt(g, next);
            }
        });
        return builder.ToGenome();
    }
}
