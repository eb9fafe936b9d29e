using System.Diagnostics;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Metrics;

/// <summary>Median, spread and confidence of one model's forward-pass time at one batch size.</summary>
public sealed record LatencyReport(double MedianMs, double P90Ms, double MinMs, int Runs, int BatchSize)
{
    public double Throughput => MedianMs <= 0 ? 0 : BatchSize / (MedianMs / 1000.0);

    /// <summary>Half-width of the median's 95 % confidence interval over the median, percent.</summary>
    public double CiHalfWidthPercent { get; init; } = double.PositiveInfinity;

    /// <summary>Coefficient of variation of the timed runs (0.05 = 5 %).</summary>
    public double CoefficientOfVariation { get; init; }

    /// <summary>Whether the confidence target was reached before the run or time cap.</summary>
    public bool Converged { get; init; }

    /// <summary>Threads libtorch used for the timed passes.</summary>
    public int Threads { get; init; }
}

public static class LatencyMeter
{
    /// <summary>Fewest timed passes when the time cap cuts a measurement short (a very slow model or an overloaded machine).</summary>
    public const int MinRunsWhenOutOfTime = 3;

    /// <summary>Median of <paramref name="runs"/> timed forward passes after <paramref name="warmup"/> untimed ones, eval mode, no_grad; CUDA is synchronized around each run.</summary>
    public static LatencyReport Measure(ZooModel model, Tensor input, int runs, int warmup, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        return Measure(model, input, LatencyPolicy.Fixed(runs, warmup), ct);
    }

    /// <summary>
    /// Times forward passes under <paramref name="policy"/> (adaptive repeats until the median's confidence interval is
    /// tight enough). The caller is responsible for exclusivity: see <see cref="TimingWindow"/>.
    /// </summary>
    public static LatencyReport Measure(ZooModel model, Tensor input, LatencyPolicy policy, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        var device = MaskApplier.DeviceOf(model);
        var wasTraining = model.training;
        model.eval();
        var times = new List<double>(policy.MaxRuns);
        TimingStatistics? stats = null;
        try
        {
            using var guard = torch.no_grad();
            for (var i = 0; i < policy.Warmup; i++)
            {
                ct.ThrowIfCancellationRequested();
                using var y = model.call(input);
            }

            TorchRuntime.Synchronize(device);
            var clock = Stopwatch.StartNew();
            while (times.Count < policy.MaxRuns)
            {
                ct.ThrowIfCancellationRequested();
                TorchRuntime.Synchronize(device);
                var start = Stopwatch.GetTimestamp();
                using (var y = model.call(input))
                {
                    TorchRuntime.Synchronize(device);
                }

                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                var outOfTime = clock.Elapsed.TotalSeconds >= policy.MaxSeconds;
                if (times.Count < policy.MinRuns && !(outOfTime && times.Count >= MinRunsWhenOutOfTime))
                {
                    continue;
                }

                stats = TimingStatistics.Of(times);
                if (stats.CiHalfWidthPercent <= policy.TargetCiPercent || outOfTime)
                {
                    break;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        stats ??= TimingStatistics.Of(times);
        return new LatencyReport(stats.Median, stats.P90, stats.Min, stats.Count, (int)input.shape[0])
        {
            CiHalfWidthPercent = stats.CiHalfWidthPercent,
            CoefficientOfVariation = stats.CoefficientOfVariation,
            Converged = stats.CiHalfWidthPercent <= policy.TargetCiPercent,
            Threads = device.type == DeviceType.CPU ? torch.get_num_threads() : 0,
        };
    }
}
