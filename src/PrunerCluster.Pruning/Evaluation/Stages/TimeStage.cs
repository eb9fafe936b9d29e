using System.Globalization;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>
/// Times the pruned model as deployed (<see cref="InferenceForm"/>) on a batch of validation images, alone or paired with the
/// unpruned reference, inside an exclusive timing window when the settings ask for one, then measures its energy there.
/// </summary>
internal static class TimeStage
{
    /// <summary>Records the latency metrics (and a note when the confidence target was missed); returns the measured energy.</summary>
    public static MeasuredEnergy Run(EvaluationRun c, ZooModel pruned, DataSplit data, ValidationSet set, int latencyBatch, DeviceGate gate, ReferenceCalibration calibration, CancellationToken ct)
    {
        var s = c.Settings;
        using var scope = torch.NewDisposeScope();
        var positions = Enumerable.Range(0, latencyBatch).Select(i => i % set.Data.Count).ToArray();
        var (input, _) = set.Data.GetBatch(positions, c.Device);
        using var timedModel = c.Time("apply", () => InferenceForm.Fold(pruned));
        using var reference = s.LatencyReference == LatencyReference.Unpruned ? c.Time("load", () => LoadStage.InferenceReference(c, data)) : null;
        var (latency, energy) = c.Time("latency", () =>
        {
            using var window = s.ExclusiveTiming ? TimingWindow.Open(gate, c.Device, s.Threads, ct) : null;
            using var kernels = window is not null && c.Device.type == DeviceType.CPU ? ConvolutionBackend.Process.OptimizedForTiming() : null;
            if (window is not null)
            {
                c.Phases["timing_wait"] = window.Waited.TotalSeconds;
            }

            var timed = reference is null
                ? TimedLatency.Alone(LatencyMeter.Measure(timedModel, input, s.LatencyPolicy, ct))
                : TimedLatency.Paired(
                    LatencyMeter.MeasurePaired(timedModel, reference, input, s.LatencyPolicy, ct),
                    ReferenceCalibration.Key(c.Checkpoint.ContentHash, c.Device.ToString() + (ConvolutionBackend.Process.OneDnnEnabled ? "" : "/native"), s.Threads, latencyBatch),
                    calibration);
            return (timed, c.Time("energy", () => MeasuredEnergy.Measure(timedModel, input, c.Device, s.EnergyWindow, ct)));
        });
        Record(c, latency, latencyBatch);
        return energy;
    }

    private static void Record(EvaluationRun c, TimedLatency latency, int latencyBatch)
    {
        c.Metrics[MetricNames.LatencyMs] = latency.MedianMs;
        c.Metrics[MetricNames.LatencyP90Ms] = latency.P90Ms;
        c.Metrics[MetricNames.LatencyRawMs] = latency.RawMedianMs;
        c.Metrics[MetricNames.Throughput] = latencyBatch / (latency.MedianMs / 1000.0);
        if (latency.Ratio is { } ratio)
        {
            c.Metrics[MetricNames.LatencyRatio] = ratio;
            c.Metrics[MetricNames.LatencyReferenceMs] = latency.ReferenceMs;
        }

        if (double.IsFinite(latency.CiHalfWidthPercent))
        {
            c.Metrics[MetricNames.LatencyCiPercent] = latency.CiHalfWidthPercent;
        }

        c.Metrics[MetricNames.LatencyCv] = latency.CoefficientOfVariation;
        c.Metrics[MetricNames.LatencyRuns] = latency.Runs;
        c.Metrics[MetricNames.LatencyThreads] = latency.Threads;
        if (!latency.Converged)
        {
            c.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"latency: confidence target +-{c.Settings.LatencyTargetCiPercent}% not reached after {latency.Runs} runs (+-{latency.CiHalfWidthPercent:F1}%)"));
        }
    }
}
