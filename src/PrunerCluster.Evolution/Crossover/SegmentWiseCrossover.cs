namespace PrunerCluster.Evolution;

/// <summary>Each segment (its bits and integer genes together) is exchanged between the parents with probability 1/2.</summary>
public sealed class SegmentWiseCrossover : ICrossover
{
    public (Genome First, Genome Second) Cross(Genome a, Genome b, RandomSource random)
    {
        CrossoverMixing.CheckParents(a, b, random);
        var layout = a.Layout;
        var segments = layout.Segments.Count;
        var swap = new bool[segments];
        for (var s = 0; s < segments; s++)
        {
            swap[s] = random.NextBool(0.5);
        }

        var words = Genome.WordCount(layout.TotalBits);
        var masks = new ulong[words];
        for (var s = 0; s < segments; s++)
        {
            if (swap[s])
            {
                continue;
            }

            for (var w = 0; w < words; w++)
            {
                masks[w] |= CrossoverMixing.RangeMask(w, layout.BitOffset(s), layout.BitOffset(s + 1));
            }
        }

        var intSegment = new int[layout.TotalIntGenes];
        for (var s = 0; s < segments; s++)
        {
            for (var g = layout.IntOffset(s); g < layout.IntOffset(s + 1); g++)
            {
                intSegment[g] = s;
            }
        }

        return CrossoverMixing.Mix(a, b, w => masks[w], g => !swap[intSegment[g]]);
    }
}
