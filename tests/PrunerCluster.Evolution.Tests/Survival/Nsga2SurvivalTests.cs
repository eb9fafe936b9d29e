namespace PrunerCluster.Evolution.Tests.Survival;

[Trait("Category", "Unit")]
public sealed class Nsga2SurvivalTests
{
    private static readonly GenomeLayout Layout = new([new SegmentSpec("s", 8, MinKeep: 0)]);

    [Fact]
    public void KeepsBestFrontsThenMostCrowdedThenLeastViolating()
    {
        var pool = new List<Individual>
        {
            Make(0, [0, 4], 0),
            Make(1, [1, 2], 0),
            Make(2, [2, 1], 0),
            Make(3, [4, 0], 0),
            Make(4, [1.1, 1.9], 0),
            Make(5, [5, 5], 0),
            Make(6, [0, 0], 0.5),
            Make(7, [0, 0], 0.1),
        };

        var four = Nsga2Survival.Survive(pool, 4);
        Assert.Equal([0, 1, 2, 3], four.Select(i => i.Id));

        var seven = Nsga2Survival.Survive(pool, 7);
        Assert.Equal([0, 1, 2, 3, 4, 5, 7], seven.Select(i => i.Id));
        Assert.Equal(int.MaxValue, seven.Single(i => i.Id == 7).Rank);
        Assert.Equal(1, seven.Single(i => i.Id == 5).Rank);
    }

    [Fact]
    public void ResultDoesNotDependOnPoolOrder()
    {
        var random = new RandomSource(3);
        var pool = Enumerable.Range(0, 60)
            .Select(i => Make(i, [random.NextInt(10), random.NextInt(10)], random.NextBool(0.2) ? random.NextInt(1, 3) : 0))
            .ToList();
        var expected = Nsga2Survival.Survive(pool, 25).Select(i => i.Id).ToList();
        for (var t = 0; t < 20; t++)
        {
            random.Shuffle(pool);
            Assert.Equal(expected, Nsga2Survival.Survive(pool, 25).Select(i => i.Id));
        }
    }

    private static Individual Make(long id, double[] objectives, double violation) =>
        new(id, Genome.Full(Layout), 0, new Evaluation(objectives, violation), objectives);
}
