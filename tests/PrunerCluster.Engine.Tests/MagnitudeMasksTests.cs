using PrunerCluster.Evolution;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Tests;

[Trait("Category", "Unit")]
public sealed class MagnitudeMasksTests
{
    private static readonly GenomeLayout Layout = new([new SegmentSpec("conv1", 4), new SegmentSpec("conv2", 8, MinKeep: 3), new SegmentSpec("fc1", 5)]);

    private static readonly Dictionary<string, double[]> Importance = new(StringComparer.Ordinal)
    {
        ["conv1"] = [0.4, 0.1, 0.3, 0.2],
        ["conv2"] = [8, 1, 7, 2, 6, 3, 5, 4],
        ["fc1"] = [1, 2, 3, 4, 5],
    };

    private static bool[] Bits(Genome genome, int segment) => [.. Enumerable.Range(0, Layout.Segments[segment].Bits).Select(i => genome.GetBit(segment, i))];

    [Fact]
    public void Uniform_keeps_the_largest_magnitudes_of_every_group_at_the_same_ratio()
    {
        var genome = MagnitudeMasks.Uniform(Layout, Importance, 0.5);
        Assert.Equal([true, false, true, false], Bits(genome, 0));
        Assert.Equal([true, false, true, false, true, false, true, false], Bits(genome, 1));
        Assert.Equal([false, false, true, true, true], Bits(genome, 2)); // ceil(0.5 * 5) = 3
    }

    [Fact]
    public void The_layout_minimum_is_restored_after_hard_pruning()
    {
        var genome = MagnitudeMasks.Uniform(Layout, Importance, 0.1);
        Assert.Equal(1, genome.CountKept(0));
        Assert.True(genome.GetBit(1, 0), "the most important unit stays");
        Assert.Equal(3, genome.CountKept(1));
        Assert.Equal(1, genome.CountKept(2));
    }

    [Fact]
    public void One_group_alone_is_pruned_and_every_other_group_stays_whole()
    {
        var genome = MagnitudeMasks.SingleGroup(Layout, Importance, "conv2", 0.25);
        Assert.Equal(4, genome.CountKept(0));
        Assert.True(genome.GetBit(1, 0) && genome.GetBit(1, 2), "the two largest magnitudes of conv2 are kept");
        Assert.Equal(3, genome.CountKept(1)); // ceil(0.25 * 8) = 2, raised to the group's minimum of 3
        Assert.Equal(5, genome.CountKept(2));
        var error = Assert.Throws<ArgumentException>(() => MagnitudeMasks.SingleGroup(Layout, Importance, "conv9", 0.5));
        Assert.Contains("group 'conv9'", error.Message, StringComparison.Ordinal);
    }
}
