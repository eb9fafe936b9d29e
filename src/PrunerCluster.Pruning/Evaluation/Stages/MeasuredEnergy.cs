using System.Diagnostics;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>Energy per inference read from a hardware counter (<see cref="EnergyMeters"/>), or none (<see cref="MetricSources.Modeled"/>) where no counter reads.</summary>
internal sealed record MeasuredEnergy(double? MillijoulesPerInference, string Source)
{
    public static MeasuredEnergy None { get; } = new(null, MetricSources.Modeled);

    /// <summary>Runs <paramref name="model"/> on <paramref name="input"/> for <paramref name="window"/> and divides the counter's joules by the inferences.</summary>
    public static MeasuredEnergy Measure(ZooModel model, Tensor input, Device device, TimeSpan window, CancellationToken ct)
    {
        if (window <= TimeSpan.Zero)
        {
            return None;
        }

        using var counter = EnergyMeters.TryOpen(device.type == DeviceType.CUDA, Math.Max(0, (int)device.index));
        if (counter is null)
        {
            return None;
        }

        model.eval();
        using var guard = torch.no_grad();
        TorchRuntime.Synchronize(device);
        var before = counter.ReadJoules();
        var clock = Stopwatch.StartNew();
        long inferences = 0;
        while (clock.Elapsed < window)
        {
            ct.ThrowIfCancellationRequested();
            using var y = model.call(input);
            TorchRuntime.Synchronize(device);
            inferences += input.shape[0];
        }

        var joules = counter.ReadJoules() - before;
        return joules <= 0 || inferences == 0 ? None : new MeasuredEnergy(joules * 1000.0 / inferences, counter.Source);
    }
}
