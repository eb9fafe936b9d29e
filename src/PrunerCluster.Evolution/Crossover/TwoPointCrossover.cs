namespace PrunerCluster.Evolution;

/// <summary>The bits between two distinct random cut points are exchanged; integer genes mix uniformly.</summary>
public sealed class TwoPointCrossover : ICrossover
{
    public (Genome First, Genome Second) Cross(Genome a, Genome b, RandomSource random)
    {
        CrossoverMixing.CheckParents(a, b, random);
        var bits = a.Layout.TotalBits;
        int from;
        int to;
        if (bits < 3)
        {
            from = 0;
            to = bits < 2 ? 0 : 1;
        }
        else
        {
            from = random.NextInt(1, bits - 1);
            to = random.NextInt(1, bits - 2);
            if (to >= from)
            {
                to++;
            }

            (from, to) = (Math.Min(from, to), Math.Max(from, to));
        }

        return CrossoverMixing.Mix(a, b, w => ~CrossoverMixing.RangeMask(w, from, to), _ => random.NextBool(0.5));
    }
}
