using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Metrics;

[Trait("Category", "Slow")]
public sealed class MetricsTests
{
    public MetricsTests() => TestSupport.Init();

    [Fact]
    public void ConfusionGivesAccuracyMacroF1AndRecall()
    {
        var report = ClassificationMetrics.FromConfusion(new long[,] { { 8, 2 }, { 0, 10 } });
        Assert.Equal(0.9, report.Accuracy, 9);
        Assert.Equal([0.8, 1.0], report.PerClassRecall);
        var f1a = 2 * 1.0 * 0.8 / 1.8;
        var f1b = 2 * (10.0 / 12) * 1.0 / ((10.0 / 12) + 1);
        Assert.Equal((f1a + f1b) / 2, report.MacroF1, 9);
    }

    [Fact]
    public void FootprintAndLatencyAreConsistent()
    {
        using var model = ModelZoo.Create("lenet5", 1, 28, 10, 1);
        var footprint = ModelFootprint.Of(model);
        Assert.Equal(model.Macs, footprint.Macs);
        Assert.Equal(footprint.Macs, footprint.EffectiveMacs);
        Assert.InRange(footprint.SizeBytes, footprint.Parameters * 4, (footprint.Parameters * 4) + 4096);
        Assert.True(EnergyModel.MillijoulesPerInference(footprint, 64) > 0);

        using var scope = torch.NewDisposeScope();
        var latency = LatencyMeter.Measure(model, torch.zeros(8, 1, 28, 28), runs: 5, warmup: 1);
        Assert.True(latency.MedianMs > 0);
        Assert.Equal(8 / (latency.MedianMs / 1000), latency.Throughput, 6);
    }

    [Fact]
    public void EnergyReadersAreOptional()
    {
        using var counter = EnergyMeters.TryOpen(cuda: false);
        if (counter is not null)
        {
            Assert.Equal(MetricSources.MeasuredRapl, counter.Source);
            Assert.True(counter.ReadJoules() >= 0);
        }

        Assert.Null(RaplEnergyCounter.TryOpen(Path.Combine(TestSupport.TempDirectory(), "none")));
    }

    [Fact]
    public void RaplUnwrapsAtTheRange()
    {
        var root = TestSupport.TempDirectory();
        var domain = Directory.CreateDirectory(Path.Combine(root, "intel-rapl:0")).FullName;
        File.WriteAllText(Path.Combine(domain, "energy_uj"), "900000");
        File.WriteAllText(Path.Combine(domain, "max_energy_range_uj"), "1000000");
        using var counter = RaplEnergyCounter.TryOpen(root)!;
        File.WriteAllText(Path.Combine(domain, "energy_uj"), "100000");
        Assert.Equal(0.2, counter.ReadJoules(), 9);
    }
}
