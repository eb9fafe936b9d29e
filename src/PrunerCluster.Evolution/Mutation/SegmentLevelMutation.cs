namespace PrunerCluster.Evolution;

/// <summary>
/// Picks one segment uniformly and moves its kept count to a uniform random value in [MinKeep, Bits] by keeping or pruning
/// random units (the other units stay as they are); each of its integer genes is redrawn with probability 1/2.
/// The rate is not used: one segment changes per call.
/// </summary>
public sealed class SegmentLevelMutation : IMutation
{
    public Genome Mutate(Genome genome, double rate, RandomSource random)
    {
        MutationHelpers.Check(genome, rate, random);
        var layout = genome.Layout;
        var builder = genome.ToBuilder();
        var segment = random.NextInt(layout.Segments.Count);
        var spec = layout.Segments[segment];
        if (spec.Bits > 0)
        {
            var target = random.NextInt(spec.MinKeep, spec.Bits);
            var kept = MutationHelpers.Indices(builder, segment, kept: true);
            var pruned = MutationHelpers.Indices(builder, segment, kept: false);
            if (target > kept.Count)
            {
                random.Shuffle(pruned);
                for (var i = 0; i < target - kept.Count; i++)
                {
                    builder.SetBit(pruned[i], true);
                }
            }
            else if (target < kept.Count)
            {
                random.Shuffle(kept);
                for (var i = 0; i < kept.Count - target; i++)
                {
                    builder.SetBit(kept[i], false);
                }
            }
        }

        if (spec.IntGeneMax > 0)
        {
            for (var g = layout.IntOffset(segment); g < layout.IntOffset(segment + 1); g++)
            {
                if (random.NextBool(0.5))
                {
                    builder.SetInt(g, MutationHelpers.RedrawInt(builder.GetInt(g), spec.IntGeneMax, random));
                }
            }
        }

        return builder.ToGenome();
    }
}
