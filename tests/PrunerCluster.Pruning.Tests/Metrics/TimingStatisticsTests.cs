using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Metrics;

[Trait("Category", "Slow")]
public sealed class TimingStatisticsTests
{
    [Fact]
    public void MedianConfidenceIntervalUsesOrderStatistics()
    {
        // n = 20: ranks floor(10 - 4.38) = 5 and ceil(1 + 10 + 4.38) = 16 (1-based).
        Assert.Equal((4, 15), TimingStatistics.MedianCiRanks(20));
        var stats = TimingStatistics.Of(Enumerable.Range(1, 20).Select(i => (double)i).ToArray());
        Assert.Equal(10.5, stats.Median, 9);
        Assert.Equal(5, stats.CiLow);
        Assert.Equal(16, stats.CiHigh);
        Assert.Equal(5.5 / 10.5 * 100, stats.CiHalfWidthPercent, 9);
    }

    [Fact]
    public void IdenticalTimingsHaveNoSpread()
    {
        var stats = TimingStatistics.Of([4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]);
        Assert.Equal(0, stats.CiHalfWidthPercent);
        Assert.Equal(0, stats.CoefficientOfVariation);
    }

    [Fact]
    public void CoefficientOfVariationIsSampleStdOverMean()
    {
        var stats = TimingStatistics.Of([9.0, 10.0, 11.0]);
        Assert.Equal(0.1, stats.CoefficientOfVariation, 9);
        Assert.Throws<ArgumentException>(() => TimingStatistics.Of([]));
        Assert.Throws<ArgumentException>(() => TimingStatistics.Of([1.0, double.NaN]));
    }

    [Fact]
    public void AdaptiveMeasurementStopsWithinItsCaps()
    {
        TestSupport.Init();
        using var model = ModelZoo.Create("lenet5", 1, 28, 10, 1);
        using var scope = torch.NewDisposeScope();
        var input = torch.zeros(4, 1, 28, 28);
        var policy = new LatencyPolicy { Warmup = 1, MinRuns = 5, MaxRuns = 12, TargetCiPercent = 1e-9, MaxSeconds = 30 };
        var report = LatencyMeter.Measure(model, input, policy);

        // An unreachable target runs to the cap and says so.
        Assert.Equal(12, report.Runs);
        Assert.False(report.Converged);
        Assert.True(report.MedianMs > 0);
        Assert.True(report.CoefficientOfVariation >= 0);

        var loose = LatencyMeter.Measure(model, input, policy with { TargetCiPercent = 1e6 });
        Assert.Equal(5, loose.Runs);
        Assert.True(loose.Converged);
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyMeter.Measure(model, input, policy with { MaxRuns = 2 }));
    }
}
