namespace PrunerCluster.Evolution.Tests.Survival;

[Trait("Category", "Unit")]
public sealed class CrowdingDistanceTests
{
    [Theory]
    [InlineData(2, 5)]
    [InlineData(2, 1000)]
    [InlineData(3, 4)]
    [InlineData(3, 1000)]
    public void AgreesWithNeighbourOracleOnThousandsOfFronts(int objectives, int valueRange)
    {
        var random = new RandomSource((ulong)(objectives + valueRange));
        for (var trial = 0; trial < 2000; trial++)
        {
            var points = NonDominatedSortingTests.RandomPoints(random, random.NextInt(0, 40), objectives, valueRange);
            foreach (var front in NonDominatedSorting.Fronts(points))
            {
                var expected = Oracle(points, front);
                var actual = CrowdingDistance.Compute(points, front);
                Assert.Equal(expected.Length, actual.Length);
                for (var i = 0; i < expected.Length; i++)
                {
                    Assert.Equal(expected[i], actual[i], 12);
                }
            }
        }
    }

    [Fact]
    public void TextbookExample()
    {
        double[][] points = [[0, 4], [1, 2], [2, 1], [4, 0]];
        var d = CrowdingDistance.Compute(points, [0, 1, 2, 3]);
        Assert.True(double.IsPositiveInfinity(d[0]));
        Assert.True(double.IsPositiveInfinity(d[3]));
        Assert.Equal((2.0 / 4) + (3.0 / 4), d[1], 12);
        Assert.Equal((3.0 / 4) + (2.0 / 4), d[2], 12);
    }

    [Fact]
    public void SmallFrontsAreAllInfinite()
    {
        double[][] points = [[0, 1], [1, 0]];
        Assert.All(CrowdingDistance.Compute(points, [0, 1]), d => Assert.True(double.IsPositiveInfinity(d)));
    }

    /// <summary>
    /// Independent definition: for each member and objective, the predecessor and successor in the order (value, position)
    /// found by a linear scan; no neighbour on one side means +infinity.
    /// </summary>
    private static double[] Oracle(List<double[]> points, List<int> front)
    {
        var n = front.Count;
        var result = new double[n];
        if (n <= 2)
        {
            Array.Fill(result, double.PositiveInfinity);
            return result;
        }

        var m = points[front[0]].Length;
        for (var k = 0; k < m; k++)
        {
            var min = front.Min(i => points[i][k]);
            var max = front.Max(i => points[i][k]);
            for (var a = 0; a < n; a++)
            {
                var va = points[front[a]][k];
                int? prev = null;
                int? next = null;
                for (var b = 0; b < n; b++)
                {
                    var vb = points[front[b]][k];
                    var before = vb < va || (vb == va && b < a);
                    var after = vb > va || (vb == va && b > a);
                    if (before && (prev is null || Later(points, front, k, b, prev.Value)))
                    {
                        prev = b;
                    }

                    if (after && (next is null || Later(points, front, k, next.Value, b)))
                    {
                        next = b;
                    }
                }

                if (prev is null || next is null)
                {
                    result[a] = double.PositiveInfinity;
                }
                else if (max > min)
                {
                    result[a] += (points[front[next.Value]][k] - points[front[prev.Value]][k]) / (max - min);
                }
            }
        }

        return result;
    }

    private static bool Later(List<double[]> points, List<int> front, int k, int x, int y)
    {
        var vx = points[front[x]][k];
        var vy = points[front[y]][k];
        return vx > vy || (vx == vy && x > y);
    }
}
