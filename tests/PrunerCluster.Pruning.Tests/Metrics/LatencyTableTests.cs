using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Metrics;

[Trait("Category", "Slow")]
public sealed class LatencyTableTests
{
    private static LayerDesc Conv(string name, int inUnits, int outUnits, int size = 8) =>
        new(name, LayerKind.Conv, null, null, inUnits, outUnits, Kernel: 3, Padding: 1, InSize: size, OutSize: size);

    [Fact]
    public void Each_layer_shape_is_timed_once_whatever_its_name_and_batch_norm_is_skipped()
    {
        var timed = new List<string>();
        var table = new LatencyTable(l =>
        {
            timed.Add(l.Name);
            return l.Macs / 1e6;
        });
        LayerDesc[] model =
        [
            Conv("a", 1, 16),
            new("bn", LayerKind.BatchNorm, null, null, 16, 16, InSize: 8, OutSize: 8),
            Conv("b", 16, 16),
            new("fc", LayerKind.Linear, null, null, 16, 10, InRepeat: 64),
        ];
        var first = table.SumMs(model);
        Assert.Equal(["a", "b", "fc"], timed);
        Assert.Equal(model.Sum(l => l.Macs) / 1e6, first, 9);

        LayerDesc[] renamed = [Conv("x", 1, 16), Conv("y", 16, 16), Conv("z", 16, 8)];
        table.SumMs(renamed);
        Assert.Equal(["a", "b", "fc", "z"], timed);
        Assert.Equal((4, 2), (table.Entries, table.Hits));
    }

    [Fact]
    public void Calibration_makes_the_reference_model_predict_its_measured_latency_and_scales_the_others()
    {
        var table = new LatencyTable(l => l.OutUnits);
        LayerDesc[] full = [Conv("a", 1, 32), Conv("b", 32, 32)];
        LayerDesc[] half = [Conv("a", 1, 16), Conv("b", 16, 16)];
        Assert.Equal(32, table.PredictMs(half));
        table.Calibrate(full, measuredMs: 128);
        Assert.Equal(2.0, table.Scale, 9);
        Assert.Equal(128, table.PredictMs(full), 9);
        Assert.Equal(64, table.PredictMs(half), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Calibrate(full, double.NaN));
    }

    [Fact]
    public void A_timer_that_returns_no_time_is_an_error_naming_the_layer()
    {
        var table = new LatencyTable(_ => double.NaN);
        var e = Assert.Throws<InvalidOperationException>(() => table.LayerMs(Conv("conv7", 4, 4)));
        Assert.Contains("conv7", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, table.Entries);
    }

    [Fact]
    public void The_layer_timer_times_real_convolutions_and_linear_layers_and_wider_costs_more()
    {
        var policy = LatencyPolicy.Fixed(runs: 5, warmup: 1);
        var narrow = LayerTimer.MedianMs(Conv("c", 4, 4, size: 16), 8, torch.CPU, policy);
        var wide = LayerTimer.MedianMs(Conv("c", 64, 64, size: 16), 8, torch.CPU, policy);
        var linear = LayerTimer.MedianMs(new LayerDesc("fc", LayerKind.Linear, null, null, 8, 10, InRepeat: 4), 8, torch.CPU, policy);
        Assert.True(narrow > 0 && linear > 0, $"{narrow} {linear}");
        Assert.True(wide > narrow, $"64x64 channels took {wide} ms, 4x4 {narrow} ms");
        Assert.Throws<ArgumentException>(() => LayerTimer.MedianMs(new LayerDesc("bn", LayerKind.BatchNorm, null, null, 4, 4), 8, torch.CPU, policy));
    }
}
