using PrunerCluster.Evolution.Tests.Survival;

namespace PrunerCluster.Evolution.Tests.Indicators;

[Trait("Category", "Unit")]
public sealed class ParetoArchiveTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void HoldsExactlyTheNonDominatedPointsWhateverTheOrder(int m)
    {
        var random = new RandomSource((ulong)m);
        for (var trial = 0; trial < 300; trial++)
        {
            var points = NonDominatedSortingTests.RandomPoints(random, random.NextInt(1, 80), m, 12);
            var ranks = NaiveNonDominatedSorting.Rank(points);
            var expected = Enumerable.Range(0, points.Count).Where(i => ranks[i] == 0).ToList();

            var order = Enumerable.Range(0, points.Count).ToList();
            random.Shuffle(order);
            var archive = new ParetoArchive<int>();
            foreach (var i in order)
            {
                archive.Add(i, points[i]);
            }

            Assert.Equal(expected, archive.Items.Order());
        }
    }
}
