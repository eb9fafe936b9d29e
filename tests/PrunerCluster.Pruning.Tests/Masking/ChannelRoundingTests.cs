using PrunerCluster.Pruning.Masking;

namespace PrunerCluster.Pruning.Tests.Masking;

[Trait("Category", "Unit")]
public sealed class ChannelRoundingTests
{
    [Theory]
    [InlineData(13, 64, 16, 16)]
    [InlineData(20, 64, 16, 32)]
    [InlineData(8, 64, 16, 8)]
    [InlineData(5, 64, 16, 8)]
    [InlineData(3, 64, 16, 4)]
    [InlineData(1, 64, 16, 1)]
    [InlineData(5, 64, 8, 8)]
    [InlineData(9, 64, 8, 16)]
    [InlineData(60, 62, 16, 62)]
    [InlineData(11, 12, 16, 12)]
    [InlineData(7, 64, 0, 7)]
    public void CountsRoundUpToMultiplesOrBelowOneBlockToPowersOfTwoThatDivideIt(int count, int units, int roundTo, int expected)
    {
        Assert.Equal(expected, ChannelRounding.Up(count, units, roundTo));
        Assert.True(ChannelRounding.IsFriendly(expected, units, roundTo));
        Assert.Equal(expected == count, ChannelRounding.IsFriendly(count, units, roundTo));
    }

    [Fact]
    public void CountsOutsideTheGroupAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelRounding.Up(0, 16, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelRounding.Up(17, 16, 16));
    }
}
