namespace PrunerCluster.Evolution.Tests.Operators;

[Trait("Category", "Unit")]
public sealed class SelectionTests
{
    [Fact]
    public void TournamentPrefersFeasibleLowRankAndLessCrowded()
    {
        SelectionInfo[] population =
        [
            new(int.MaxValue, 0, 0.5, [0, 0]),
            new(1, 0.5, 0, [1, 1]),
            new(0, 0.1, 0, [2, 2]),
            new(0, double.PositiveInfinity, 0, [3, 3]),
        ];
        var counts = new int[4];
        var random = new RandomSource(1);
        for (var i = 0; i < 12_000; i++)
        {
            counts[new BinaryTournamentSelection().Select(population, random)]++;
        }

        Assert.Equal(0, counts[0]);
        Assert.True(counts[3] > counts[2] && counts[2] > counts[1]);
        Assert.InRange(counts[3], 5_500, 6_500);
    }

    [Fact]
    public void RouletteFavoursBetterScalarizedFitness()
    {
        SelectionInfo[] population = [new(0, 0, 0, [0, 0]), new(0, 0, 0, [1, 1]), new(0, 0, 2, [0, 0])];
        var counts = new int[3];
        var random = new RandomSource(2);
        for (var i = 0; i < 10_000; i++)
        {
            counts[new RouletteWheelSelection().Select(population, random)]++;
        }

        Assert.True(counts[0] > 90 * counts[1] / 2);
        Assert.True(counts[2] < 5);
    }
}
