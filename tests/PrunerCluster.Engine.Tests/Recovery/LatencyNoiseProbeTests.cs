using PrunerCluster.Engine.Recovery;
using PrunerCluster.Evolution;

namespace PrunerCluster.Engine.Tests.Recovery;

[Trait("Category", "Unit")]
public sealed class LatencyNoiseProbeTests
{
    [Fact]
    public void The_probe_model_keeps_about_half_of_every_group()
    {
        var layout = new GenomeLayout([new SegmentSpec("conv1", 32), new SegmentSpec("fc", 5, MinKeep: 4), new SegmentSpec("levels", 0, IntGenes: 1, IntGeneMax: 8, MinKeep: 0)]);
        var genome = LatencyNoiseProbe.HalfWidth(layout);
        Assert.Equal(16 + 4, genome.TotalKept);
        Assert.NotEqual(Genome.Full(layout).ContentHash, genome.ContentHash);
        Assert.Equal(genome.ContentHash, LatencyNoiseProbe.HalfWidth(layout).ContentHash);
    }

    [Fact]
    public void The_noise_line_shows_the_raw_spread_only_when_a_reference_scaled_it()
    {
        double[] scaled = [10, 10.2, 9.9];
        double[] raw = [10, 11.5, 9.1];
        var paired = LatencyNoiseProbe.Describe(scaled, raw);
        Assert.Contains("timed 3 times", paired, StringComparison.Ordinal);
        Assert.Contains("raw medians", paired, StringComparison.Ordinal);
        Assert.DoesNotContain("raw medians", LatencyNoiseProbe.Describe(scaled, scaled), StringComparison.Ordinal);
    }
}
