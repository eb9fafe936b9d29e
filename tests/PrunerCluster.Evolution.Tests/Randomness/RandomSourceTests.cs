namespace PrunerCluster.Evolution.Tests.Randomness;

[Trait("Category", "Unit")]
public sealed class RandomSourceTests
{
    [Fact]
    public void SameSeedGivesSameSequenceAndStateRoundTrips()
    {
        var a = new RandomSource(42);
        var b = new RandomSource(42);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(a.NextUInt64(), b.NextUInt64());
        }

        var copy = RandomSource.FromState(a.GetState());
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(a.NextDouble(), copy.NextDouble());
        }

        Assert.NotEqual(new RandomSource(1).NextUInt64(), new RandomSource(2).NextUInt64());
    }

    [Fact]
    public void KnownFirstOutputIsStableAcrossProcesses() =>
        Assert.Equal(new RandomSource(0).NextUInt64(), RandomSource.FromState(new RandomSource(0).GetState()).NextUInt64());

    [Fact]
    public void NextIntIsInRangeAndRoughlyUniform()
    {
        var random = new RandomSource(7);
        var counts = new int[7];
        for (var i = 0; i < 70_000; i++)
        {
            counts[random.NextInt(7)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(random.NextInt(-3, 3), -3, 3);
            Assert.InRange(random.NextDouble(), 0, 1 - double.Epsilon);
        }
    }

    [Fact]
    public void InvalidStateIsRejected()
    {
        Assert.Throws<ArgumentException>(() => RandomSource.FromState([0, 0, 0, 0]));
        Assert.Throws<ArgumentException>(() => RandomSource.FromState([1, 2, 3]));
    }
}
