using System.Diagnostics;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Metrics;

public sealed record LatencyReport(double MedianMs, double P90Ms, double MinMs, int Runs, int BatchSize)
{
    public double Throughput => MedianMs <= 0 ? 0 : BatchSize / (MedianMs / 1000.0);
}

public static class LatencyMeter
{
    /// <summary>Median of <paramref name="runs"/> timed forward passes after <paramref name="warmup"/> untimed ones, eval mode, no_grad; CUDA is synchronized around each run.</summary>
    public static LatencyReport Measure(ZooModel model, Tensor input, int runs, int warmup, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        var device = MaskApplier.DeviceOf(model);
        var wasTraining = model.training;
        model.eval();
        var times = new double[runs];
        try
        {
            using var guard = torch.no_grad();
            for (var i = 0; i < warmup; i++)
            {
                ct.ThrowIfCancellationRequested();
                using var y = model.call(input);
            }

            TorchRuntime.Synchronize(device);
            for (var i = 0; i < runs; i++)
            {
                ct.ThrowIfCancellationRequested();
                TorchRuntime.Synchronize(device);
                var start = Stopwatch.GetTimestamp();
                using (var y = model.call(input))
                {
                    TorchRuntime.Synchronize(device);
                }

                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        Array.Sort(times);
        return new LatencyReport(Percentile(times, 0.5), Percentile(times, 0.9), times[0], runs, (int)input.shape[0]);
    }

    private static double Percentile(double[] sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = (int)Math.Ceiling(pos);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (pos - lo));
    }
}
