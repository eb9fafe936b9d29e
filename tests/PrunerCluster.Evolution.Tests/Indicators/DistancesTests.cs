namespace PrunerCluster.Evolution.Tests.Indicators;

[Trait("Category", "Unit")]
public sealed class DistancesTests
{
    [Fact]
    public void IgdAndGdOnAKnownExample()
    {
        double[][] reference = [[0, 1], [1, 0]];
        double[][] approximation = [[0, 2]];
        Assert.Equal((1 + Math.Sqrt(5)) / 2, Distances.InvertedGenerationalDistance(approximation, reference), 12);
        Assert.Equal(1, Distances.GenerationalDistance(approximation, reference), 12);
        Assert.Equal(0, Distances.InvertedGenerationalDistance(reference, reference));
    }

    [Fact]
    public void EmptySetsAreRejected() =>
        Assert.Throws<ArgumentException>(() => Distances.InvertedGenerationalDistance([], [[0.0, 1.0]]));
}
