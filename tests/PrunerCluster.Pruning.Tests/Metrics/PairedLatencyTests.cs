using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Metrics;

[Trait("Category", "Slow")]
public sealed class PairedLatencyTests
{
    public PairedLatencyTests() => TestSupport.Init();

    [Fact]
    public void A_much_smaller_model_times_well_below_its_reference()
    {
        using var small = ModelZoo.Create("mlp", 1, 28, 10, 1);
        using var large = ModelZoo.Create("vgg", 1, 28, 10, 1);
        using var scope = torch.NewDisposeScope();
        var input = torch.zeros(16, 1, 28, 28);
        var report = LatencyMeter.MeasurePaired(small, large, input, LatencyPolicy.Fixed(6, 1));

        Assert.Equal(6, report.Model.Runs);
        Assert.Equal(6, report.Reference.Runs);
        Assert.InRange(report.Ratio, 0.0, 0.5);
        Assert.True(report.Reference.MedianMs > report.Model.MedianMs);
        Assert.True(double.IsFinite(report.RatioCiHalfWidthPercent));
        Assert.True(small.training && large.training, "training flags are restored");
    }

    [Fact]
    public void Adaptive_pairs_stop_at_the_cap()
    {
        using var model = ModelZoo.Create("mlp", 1, 28, 10, 1);
        using var reference = ModelZoo.Create("mlp", 1, 28, 10, 2);
        using var scope = torch.NewDisposeScope();
        var policy = new LatencyPolicy { Warmup = 0, MinRuns = 4, MaxRuns = 9, TargetCiPercent = 1e-9 };
        var report = LatencyMeter.MeasurePaired(model, reference, torch.zeros(4, 1, 28, 28), policy);
        Assert.Equal(9, report.Model.Runs);
        Assert.False(report.Converged);
    }

    [Fact]
    public void Paired_latency_is_the_ratio_times_the_first_calibrated_reference()
    {
        var key = ReferenceCalibration.Key("checkpoint", "cpu", 2, 64);
        var calibration = new ReferenceCalibration();
        var first = TimedLatency.Paired(Paired(model: 5, reference: 20, ratio: 0.25), key, calibration);
        Assert.Equal(20, first.ReferenceMs);
        Assert.Equal(5, first.MedianMs, 9);

        // The machine got 10 % slower: the raw median moves, the scaled latency does not.
        var later = TimedLatency.Paired(Paired(model: 5.5, reference: 22, ratio: 0.25), key, calibration);
        Assert.Equal(20, later.ReferenceMs);
        Assert.Equal(5, later.MedianMs, 9);
        Assert.Equal(5.5, later.RawMedianMs);
        Assert.Equal(0.25, later.Ratio);
        Assert.Equal(6.0, later.P90Ms, 9);
    }

    [Fact]
    public void Two_calibrations_do_not_share_a_reference()
    {
        var key = ReferenceCalibration.Key("checkpoint", "cpu", 2, 64);
        var first = new ReferenceCalibration();
        var second = new ReferenceCalibration();
        Assert.Equal(20, first.Scale(key, 20));
        Assert.Equal(0, second.Count);
        Assert.Equal(22, second.Scale(key, 22));
        Assert.Equal(20, first.Scale(key, 25));
        Assert.Equal(1, first.Count);
    }

    [Fact]
    public void Timed_alone_the_latency_is_the_raw_median()
    {
        var alone = TimedLatency.Alone(new LatencyReport(7, 8, 6, 10, 64) { CiHalfWidthPercent = 2, Converged = true });
        Assert.Equal(7, alone.MedianMs);
        Assert.Equal(7, alone.RawMedianMs);
        Assert.Null(alone.Ratio);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void A_reference_latency_must_be_positive(double ms)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReferenceCalibration().Scale("k", ms));
    }

    private static PairedLatencyReport Paired(double model, double reference, double ratio) =>
        new(
            new LatencyReport(model, model * 1.2, model * 0.9, 10, 64),
            new LatencyReport(reference, reference * 1.1, reference * 0.9, 10, 64),
            ratio,
            RatioCiHalfWidthPercent: 1.5,
            RatioCv: 0.01,
            Converged: true);
}
