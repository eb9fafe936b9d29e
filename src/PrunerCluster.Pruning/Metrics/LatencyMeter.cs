using System.Diagnostics;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Metrics;

/// <summary>
/// A model timed in alternation with a reference model on the same input: both medians, and the median of the per-pair
/// ratios (model over reference) with its confidence. A slow drift of the machine's speed (clock, host contention) moves
/// both timings of a pair alike, so the ratio keeps still where either median drifts.
/// </summary>
public sealed record PairedLatencyReport(LatencyReport Model, LatencyReport Reference, double Ratio, double RatioCiHalfWidthPercent, double RatioCv, bool Converged);

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
            do
            {
                ct.ThrowIfCancellationRequested();
                times.Add(TimeOnce(model, input, device));
            }
            while (!policy.IsDone(times, clock.Elapsed));
        }
        finally
        {
            model.train(wasTraining);
        }

        return Report(times, input, policy, device.type == DeviceType.CPU ? torch.get_num_threads() : 0);
    }

    /// <summary>
    /// Times <paramref name="model"/> and <paramref name="reference"/> in alternating pairs (the order flips every pair)
    /// under <paramref name="policy"/>; the stopping rule applies to the confidence interval of the per-pair ratio.
    /// </summary>
    public static PairedLatencyReport MeasurePaired(ZooModel model, ZooModel reference, Tensor input, LatencyPolicy policy, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        var device = MaskApplier.DeviceOf(model);
        var modelWasTraining = model.training;
        var referenceWasTraining = reference.training;
        model.eval();
        reference.eval();
        var modelTimes = new List<double>(policy.MaxRuns);
        var referenceTimes = new List<double>(policy.MaxRuns);
        var ratios = new List<double>(policy.MaxRuns);
        try
        {
            using var guard = torch.no_grad();
            for (var i = 0; i < policy.Warmup; i++)
            {
                ct.ThrowIfCancellationRequested();
                using var y = model.call(input);
                using var r = reference.call(input);
            }

            TorchRuntime.Synchronize(device);
            var clock = Stopwatch.StartNew();
            do
            {
                ct.ThrowIfCancellationRequested();
                double m, r;
                if (ratios.Count % 2 == 0)
                {
                    m = TimeOnce(model, input, device);
                    r = TimeOnce(reference, input, device);
                }
                else
                {
                    r = TimeOnce(reference, input, device);
                    m = TimeOnce(model, input, device);
                }

                modelTimes.Add(m);
                referenceTimes.Add(r);
                ratios.Add(r > 0 ? m / r : 1.0);
            }
            while (!policy.IsDone(ratios, clock.Elapsed));
        }
        finally
        {
            model.train(modelWasTraining);
            reference.train(referenceWasTraining);
        }

        var stats = TimingStatistics.Of(ratios);
        var threads = device.type == DeviceType.CPU ? torch.get_num_threads() : 0;
        return new PairedLatencyReport(
            Report(modelTimes, input, policy, threads),
            Report(referenceTimes, input, policy, threads),
            stats.Median,
            stats.CiHalfWidthPercent,
            stats.CoefficientOfVariation,
            stats.CiHalfWidthPercent <= policy.TargetCiPercent);
    }

    private static double TimeOnce(ZooModel model, Tensor input, Device device)
    {
        TorchRuntime.Synchronize(device);
        var start = Stopwatch.GetTimestamp();
        using (var y = model.call(input))
        {
            TorchRuntime.Synchronize(device);
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static LatencyReport Report(List<double> times, Tensor input, LatencyPolicy policy, int threads)
    {
        var stats = TimingStatistics.Of(times);
        return new LatencyReport(stats.Median, stats.P90, stats.Min, stats.Count, (int)input.shape[0])
        {
            CiHalfWidthPercent = stats.CiHalfWidthPercent,
            CoefficientOfVariation = stats.CoefficientOfVariation,
            Converged = stats.CiHalfWidthPercent <= policy.TargetCiPercent,
            Threads = threads,
        };
    }
}
