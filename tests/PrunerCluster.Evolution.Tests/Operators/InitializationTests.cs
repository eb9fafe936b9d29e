namespace PrunerCluster.Evolution.Tests.Operators;

[Trait("Category", "Unit")]
public sealed class InitializationTests
{
    private static readonly GenomeLayout Layout = new([new SegmentSpec("conv", 10), new SegmentSpec("fc", 1000, IntGenes: 1, IntGeneMax: 3)]);

    [Fact]
    public void RandomInitializationHitsTheDensity()
    {
        var g = RandomInitialization.Create(Layout, 0.3, new RandomSource(1));
        Assert.InRange(g.SegmentDensity(1), 0.25, 0.35);
        Assert.Equal(g, RandomInitialization.Create(Layout, 0.3, new RandomSource(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomInitialization.Create(Layout, 1.1, new RandomSource(1)));
    }

    [Fact]
    public void RankingInitializationKeepsTheMostImportantUnits()
    {
        var ranking = new SeedRanking("l1", new Dictionary<string, double[]> { ["conv"] = [0.1, 0.9, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.0] }, [0.3]);
        var g = RankingInitialization.Create(Layout, ranking, 0.3);
        Assert.Equal([false, true, false, false, true, false, true, false, false, false], g.GetSegmentBits(0));
        Assert.Equal(1000, g.CountKept(1));
        Assert.Throws<ArgumentException>(() => RankingInitialization.Create(Layout, ranking with { Importance = new Dictionary<string, double[]> { ["nope"] = [1] } }, 0.5));
        Assert.Throws<ArgumentException>(() => RankingInitialization.Create(Layout, ranking with { Importance = new Dictionary<string, double[]> { ["conv"] = [1] } }, 0.5));
    }
}
