using PrunerCluster.Pruning.Masking;

namespace PrunerCluster.Pruning.Tests.Masking;

[Trait("Category", "Unit")]
public sealed class KeepLevelMappingTests
{
    [Theory]
    [InlineData(64, 0, 16, 8, 64)]
    [InlineData(64, 8, 16, 8, 32)]
    [InlineData(64, 15, 16, 8, 8)]
    [InlineData(32, 6, 16, 8, 24)]
    [InlineData(32, 15, 16, 8, 8)]
    [InlineData(100, 5, 10, 0, 50)]
    [InlineData(6, 9, 10, 8, 1)]
    [InlineData(256, 13, 16, 16, 48)]
    public void LevelsKeepAFractionRoundedToMultiples(int units, int level, int levels, int roundTo, int expected)
    {
        var kept = KeepLevelMapping.KeptCount(units, level, levels, roundTo);
        Assert.Equal(expected, kept);
        if (roundTo > 1 && units > roundTo)
        {
            Assert.Equal(0, kept % roundTo);
        }
    }

    [Fact]
    public void LevelsOutsideTheRangeAreInvalidMasks()
    {
        Assert.Throws<InvalidMaskException>(() => KeepLevelMapping.KeptCount(32, 16, 16, 8));
        Assert.Throws<InvalidMaskException>(() => KeepLevelMapping.KeptCount(32, -1, 16, 8));
    }

    [Fact]
    public void DistinctCountsMergeLevelsThatRoundToTheSameWidth()
    {
        Assert.Equal([32, 16], KeepLevelMapping.DistinctCounts(32, 16, 16));
        Assert.Equal([128, 112, 96, 80, 64, 48, 32, 16], KeepLevelMapping.DistinctCounts(128, 16, 16));
        Assert.Equal(16, KeepLevelMapping.DistinctCounts(256, 16, 16).Length);
        Assert.Equal([16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1], KeepLevelMapping.DistinctCounts(16, 16, 16));
        Assert.Equal([10, 5], KeepLevelMapping.DistinctCounts(10, 2, 0));
    }

    [Fact]
    public void WidthLaddersContinueBelowOneBlockByHalvingDownToTheNarrowestWidth()
    {
        Assert.Equal([32, 16, 8, 4], KeepLevelMapping.WidthLadder(32, 16, 16));
        Assert.Equal([128, 112, 96, 80, 64, 48, 32, 16, 8, 4], KeepLevelMapping.WidthLadder(128, 16, 16));
        Assert.Equal([32, 16, 8, 4, 2, 1], KeepLevelMapping.WidthLadder(32, 16, 16, minWidth: 1));
        Assert.Equal([32, 16], KeepLevelMapping.WidthLadder(32, 16, 16, minWidth: 16));
        Assert.Equal([12, 8, 4], KeepLevelMapping.WidthLadder(12, 16, 16));
        Assert.Equal([3], KeepLevelMapping.WidthLadder(3, 16, 16));
        Assert.Equal([32, 16, 8], KeepLevelMapping.WidthLadder(32, 16, 16, minKeep: 5));

        // Levels that stop above one block (few levels) have no tail; without rounding the floor only cuts.
        Assert.Equal([256, 128], KeepLevelMapping.WidthLadder(256, 2, 16));
        Assert.Equal([10, 9, 8, 7, 6, 5, 4], KeepLevelMapping.WidthLadder(10, 10, 0));
        Assert.All(KeepLevelMapping.WidthLadder(256, 16, 8), w => Assert.True(ChannelRounding.IsFriendly(w, 256, 8)));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeepLevelMapping.WidthLadder(32, 16, 16, minWidth: 0));
    }

    [Fact]
    public void KeptUnitsFollowImportanceThenPreference()
    {
        double[] importance = [0.1, 0.9, 0.5, 0.7, 0.2, 0.9];
        Assert.Equal([1, 3, 5], KeepLevelMapping.KeptUnits(importance, 3));
        bool[] preferred = [true, false, false, false, true, false];
        Assert.Equal([0, 1, 4], KeepLevelMapping.KeptUnits(importance, 3, preferred));
        Assert.Equal([0, 4], KeepLevelMapping.KeptUnits(importance, 2, preferred));
        var bits = KeepLevelMapping.KeepBits(importance, level: 1, levels: 2, roundTo: 0);
        Assert.Equal([false, true, false, true, false, true], bits);
    }
}
