namespace PrunerCluster.Evolution;

/// <summary>
/// Whole arithmetic crossover for ordinal integer genes (keep or sparsity levels): one weight w ~ U(0, 1) per mating, the
/// first child takes round(w a + (1 - w) b) for every integer gene and the second round((1 - w) a + w b), so both lie
/// between their parents in every layer at once. Parents that prune with different overall strengths then breed
/// intermediate strengths instead of children that mix heavily and lightly pruned layers. Bits mix uniformly.
/// </summary>
public sealed class ArithmeticCrossover : ICrossover
{
    public (Genome First, Genome Second) Cross(Genome a, Genome b, RandomSource random)
    {
        CrossoverMixing.CheckParents(a, b, random);
        var (bitsFirst, bitsSecond) = CrossoverMixing.Mix(a, b, _ => random.NextUInt64(), _ => true);
        var w = random.NextDouble();
        var ia = a.Ints;
        var ib = b.Ints;
        var i1 = new int[ia.Length];
        var i2 = new int[ia.Length];
        for (var g = 0; g < ia.Length; g++)
        {
            i1[g] = (int)Math.Round((w * ia[g]) + ((1 - w) * ib[g]), MidpointRounding.AwayFromZero);
            i2[g] = (int)Math.Round(((1 - w) * ia[g]) + (w * ib[g]), MidpointRounding.AwayFromZero);
        }

        return (new Genome(a.Layout, bitsFirst.Words.ToArray(), i1), new Genome(a.Layout, bitsSecond.Words.ToArray(), i2));
    }
}
