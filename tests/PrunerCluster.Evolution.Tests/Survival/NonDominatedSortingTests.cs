namespace PrunerCluster.Evolution.Tests.Survival;

[Trait("Category", "Unit")]
public sealed class NonDominatedSortingTests
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 1, 3 }, { 2, 3 }, { 2, 1000 }, { 3, 3 }, { 3, 1000 }, { 4, 4 }, { 5, 1000 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RanksAgreeWithOracleOnThousandsOfRandomSets(int objectives, int valueRange)
    {
        var random = new RandomSource((ulong)((objectives * 7919) + valueRange));
        for (var trial = 0; trial < 1000; trial++)
        {
            var n = random.NextInt(0, 60);
            var points = RandomPoints(random, n, objectives, valueRange);
            Assert.Equal(NaiveNonDominatedSorting.Rank(points), NonDominatedSorting.Rank(points));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void LargeSetsWithDuplicatesAgreeWithOracle(int objectives)
    {
        var random = new RandomSource(99);
        var points = RandomPoints(random, 1500, objectives, 40);
        for (var i = 0; i < 300; i++)
        {
            points.Add((double[])points[random.NextInt(points.Count)].Clone());
        }

        Assert.Equal(NaiveNonDominatedSorting.Rank(points), NonDominatedSorting.Rank(points));
    }

    [Fact]
    public void ContinuousPointsOnTradeOffCurvesAgreeWithOracle()
    {
        var random = new RandomSource(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var points = new List<double[]>();
            for (var i = 0; i < 200; i++)
            {
                var x = random.NextDouble();
                var shift = random.NextInt(5) * 0.1;
                points.Add([x + shift, 1 - x + shift, (x * x) + shift]);
            }

            Assert.Equal(NaiveNonDominatedSorting.Rank(points), NonDominatedSorting.Rank(points));
            var twoD = points.Select(p => new[] { p[0], p[1] }).ToList();
            Assert.Equal(NaiveNonDominatedSorting.Rank(twoD), NonDominatedSorting.Rank(twoD));
        }
    }

    [Fact]
    public void DuplicatesShareARankAndDoNotDominateEachOther()
    {
        double[][] points = [[1, 1], [1, 1], [0, 2], [2, 2], [2, 2]];
        Assert.Equal([0, 0, 0, 1, 1], NonDominatedSorting.Rank(points));
    }

    [Fact]
    public void InfinitiesAreOrderedNaNIsRejected()
    {
        double[][] points = [[double.NegativeInfinity, 5], [0, double.PositiveInfinity], [1, 1]];
        Assert.Equal(NaiveNonDominatedSorting.Rank(points), NonDominatedSorting.Rank(points));
        var error = Assert.Throws<ArgumentException>(() => NonDominatedSorting.Rank([[0, double.NaN]]));
        Assert.Equal("points", error.ParamName);
        Assert.Throws<ArgumentException>(() => NonDominatedSorting.Rank([[0, 1], [0, 1, 2]]));
    }

    [Fact]
    public void FrontsGroupIndicesByRank()
    {
        double[][] points = [[3, 3], [1, 2], [2, 1], [2, 2]];
        var fronts = NonDominatedSorting.Fronts(points);
        Assert.Equal([[1, 2], [3], [0]], fronts);
    }

    internal static List<double[]> RandomPoints(RandomSource random, int n, int objectives, int valueRange)
    {
        var points = new List<double[]>(n);
        for (var i = 0; i < n; i++)
        {
            var p = new double[objectives];
            for (var k = 0; k < objectives; k++)
            {
                p[k] = random.NextInt(valueRange);
            }

            points.Add(p);
        }

        return points;
    }
}
