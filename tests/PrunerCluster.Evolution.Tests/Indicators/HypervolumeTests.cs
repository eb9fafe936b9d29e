namespace PrunerCluster.Evolution.Tests.Indicators;

[Trait("Category", "Unit")]
public sealed class HypervolumeTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ExactAgreesWithInclusionExclusionOnSmallSets(int m)
    {
        var random = new RandomSource((ulong)m);
        for (var trial = 0; trial < 300; trial++)
        {
            var n = random.NextInt(0, 9);
            var points = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, m).Select(_ => random.NextDouble() * 10).ToArray()).ToList();
            var reference = Enumerable.Repeat(random.NextDouble() * 4 + 8, m).ToArray();
            Assert.Equal(InclusionExclusion(points, reference), Hypervolume.Compute(points, reference), 9);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ExactAgreesWithGridCountingOnIntegerPoints(int m)
    {
        var random = new RandomSource((ulong)(10 + m));
        const int size = 12;
        for (var trial = 0; trial < 200; trial++)
        {
            var n = random.NextInt(1, 60);
            var points = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, m).Select(_ => (double)random.NextInt(size + 2)).ToArray()).ToList();
            var reference = Enumerable.Repeat((double)size, m).ToArray();
            Assert.Equal(GridCount(points, size, m), Hypervolume.Compute(points, reference), 9);
        }
    }

    [Fact]
    public void LargeThreeObjectiveFrontMatchesGridCounting()
    {
        var random = new RandomSource(77);
        const int size = 40;
        var points = Enumerable.Range(0, 1000).Select(_ => new double[] { random.NextInt(size), random.NextInt(size), random.NextInt(size) }).ToList();
        Assert.Equal(GridCount(points, size, 3), Hypervolume.Compute3D(points, [size, size, size]), 6);
    }

    [Fact]
    public void MonteCarloApproximatesFourObjectivesWithinTwoPercent()
    {
        var random = new RandomSource(8);
        var points = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 4).Select(_ => random.NextDouble()).ToArray()).ToList();
        double[] reference = [1.2, 1.2, 1.2, 1.2];
        var exact = InclusionExclusion(points, reference);
        var estimate = Hypervolume.Compute(points, reference, 400_000, seed: 3);
        Assert.InRange(estimate, exact * 0.98, exact * 1.02);
        Assert.Equal(estimate, Hypervolume.Compute(points, reference, 400_000, seed: 3));
    }

    [Fact]
    public void PointsOutsideTheReferenceBoxContributeNothing()
    {
        Assert.Equal(0, Hypervolume.Compute2D([[5, 0], [0, 5]], [5, 5]));
        Assert.Equal(4, Hypervolume.Compute2D([[3, 3], [6, 0]], [5, 5]));
        Assert.Throws<ArgumentException>(() => Hypervolume.Compute2D([[0, 0, 0]], [1, 1]));
        Assert.Throws<ArgumentException>(() => Hypervolume.Compute([[0, double.NaN]], [1, 1]));
    }

    [Fact]
    public void NormalizationMapsIdealAndNadirToZeroAndOne()
    {
        double[][] points = [[1, 10], [3, 30], [2, 10]];
        var ideal = Normalization.Ideal(points);
        var nadir = Normalization.Nadir(points);
        var normalized = Normalization.Normalize(points, ideal, nadir);
        Assert.Equal([0, 0], normalized[0]);
        Assert.Equal([1, 1], normalized[1]);
        Assert.Equal([0.5, 0], normalized[2]);
        Assert.Equal([-2, 3], Normalization.ToMinimization([2, 3], [Direction.Maximize, Direction.Minimize]));
    }

    internal static double InclusionExclusion(IReadOnlyList<double[]> points, double[] reference)
    {
        var n = points.Count;
        var m = reference.Length;
        var total = 0.0;
        for (var mask = 1; mask < 1 << n; mask++)
        {
            var corner = new double[m];
            Array.Fill(corner, double.NegativeInfinity);
            var bits = 0;
            for (var i = 0; i < n; i++)
            {
                if ((mask & (1 << i)) == 0)
                {
                    continue;
                }

                bits++;
                for (var k = 0; k < m; k++)
                {
                    corner[k] = Math.Max(corner[k], points[i][k]);
                }
            }

            var volume = 1.0;
            for (var k = 0; k < m; k++)
            {
                volume *= Math.Max(0, reference[k] - corner[k]);
            }

            total += (bits % 2 == 1 ? 1 : -1) * volume;
        }

        return total;
    }

    /// <summary>Counts unit cells [c, c+1)^m of the box [0, size)^m whose lower corner is weakly dominated by a point.</summary>
    private static double GridCount(IReadOnlyList<double[]> points, int size, int m)
    {
        var count = 0;
        var cell = new int[m];
        var cells = (int)Math.Pow(size, m);
        for (var c = 0; c < cells; c++)
        {
            var rest = c;
            for (var k = 0; k < m; k++)
            {
                cell[k] = rest % size;
                rest /= size;
            }

            if (points.Any(p => Enumerable.Range(0, m).All(k => p[k] <= cell[k])))
            {
                count++;
            }
        }

        return count;
    }
}
