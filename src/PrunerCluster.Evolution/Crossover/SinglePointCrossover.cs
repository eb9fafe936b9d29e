namespace PrunerCluster.Evolution;

/// <summary>Bits before a random cut point in [1, L-1] come from one parent, the rest from the other; integer genes mix uniformly.</summary>
public sealed class SinglePointCrossover : ICrossover
{
    public (Genome First, Genome Second) Cross(Genome a, Genome b, RandomSource random)
    {
        CrossoverMixing.CheckParents(a, b, random);
        var bits = a.Layout.TotalBits;
        var cut = bits < 2 ? bits : random.NextInt(1, bits - 1);
        return CrossoverMixing.Mix(a, b, w => CrossoverMixing.RangeMask(w, 0, cut), _ => random.NextBool(0.5));
    }
}
