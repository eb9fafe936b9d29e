namespace PrunerCluster.Evolution.Tests.Operators;

[Trait("Category", "Unit")]
public sealed class MutationTests
{
    private static readonly GenomeLayout Layout = new(
    [
        new SegmentSpec("a", 100, IntGenes: 3, IntGeneMax: 4, MinKeep: 5),
        new SegmentSpec("b", 300, MinKeep: 0),
    ]);

    [Fact]
    public void BitFlipChangesAboutRateTimesLength()
    {
        var random = new RandomSource(1);
        var g = RandomInitialization.Create(Layout, 0.5, random);
        var total = 0;
        for (var t = 0; t < 2000; t++)
        {
            var m = new BitFlipMutation().Mutate(g, 0.01, random);
            total += Enumerable.Range(0, Layout.TotalBits).Count(i => m.GetBitGlobal(i) != g.GetBitGlobal(i));
        }

        Assert.InRange(total / 2000.0, 3.6, 4.4);
        Assert.Equal(g, new BitFlipMutation().Mutate(g, 0, random));
        var flipped = new BitFlipMutation().Mutate(g, 1, random);
        Assert.All(Enumerable.Range(0, Layout.TotalBits), i => Assert.NotEqual(g.GetBitGlobal(i), flipped.GetBitGlobal(i)));
    }

    [Fact]
    public void DensityPreservingSwapKeepsSegmentCounts()
    {
        var random = new RandomSource(2);
        for (var t = 0; t < 200; t++)
        {
            var g = RandomInitialization.Create(Layout, random.NextDouble(), random);
            var m = new DensityPreservingSwapMutation().Mutate(g, 0.005, random);
            Assert.Equal(g.CountKept(0), m.CountKept(0));
            Assert.Equal(g.CountKept(1), m.CountKept(1));
            if (g.CountKept(1) is > 0 and < 300 || g.CountKept(0) is > 0 and < 100)
            {
                Assert.NotEqual(g.ToCanonicalString(), m.ToCanonicalString());
            }
        }
    }

    [Fact]
    public void SegmentLevelChangesOneSegmentWithinMinKeep()
    {
        var random = new RandomSource(3);
        for (var t = 0; t < 200; t++)
        {
            var g = RandomInitialization.Create(Layout, 0.5, random);
            var m = new SegmentLevelMutation().Mutate(g, 0.01, random);
            var changed = Enumerable.Range(0, 2).Where(s => !g.GetSegmentBits(s).SequenceEqual(m.GetSegmentBits(s)) || !g.GetSegmentInts(s).SequenceEqual(m.GetSegmentInts(s))).ToList();
            Assert.True(changed.Count <= 1);
            Assert.InRange(m.CountKept(0), Math.Min(5, g.CountKept(0)), 100);
        }
    }

    [Fact]
    public void RatesOutsideZeroOneAreRejected()
    {
        var g = Evolution.Genome.Full(Layout);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new BitFlipMutation().Mutate(g, 1.5, new RandomSource(1))).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new SegmentLevelMutation().Mutate(g, -0.1, new RandomSource(1))).ParamName);
    }

    [Fact]
    public void IntegerGenesStayInRange()
    {
        var random = new RandomSource(4);
        var g = RandomInitialization.Create(Layout, 0.5, random);
        foreach (var mutation in new IMutation[] { new BitFlipMutation(), new DensityPreservingSwapMutation(), new SegmentLevelMutation() })
        {
            for (var t = 0; t < 300; t++)
            {
                g = mutation.Mutate(g, 0.3, random);
                Assert.All(g.GetSegmentInts(0), v => Assert.InRange(v, 0, 4));
            }
        }
    }
}
