using System.Collections.Concurrent;
using System.Globalization;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>
/// Scores accuracy, macro-F1 and per-class recall on the validation samples, against the unpruned model's accuracy on the
/// same samples (computed once per checkpoint, sample set and thread count). Thread-safe: the baseline cache is shared.
/// </summary>
internal sealed class ValidateStage
{
    private readonly ConcurrentDictionary<string, double> baselineAccuracy = new(StringComparer.Ordinal);

    /// <summary>The unpruned <paramref name="source"/>'s accuracy on <paramref name="set"/>.</summary>
    public double Baseline(EvaluationRun c, ZooModel source, ValidationSet set, DeviceGate gate, CancellationToken ct)
    {
        var key = string.Join('|', c.Checkpoint.DataKey, set.Key, c.Settings.Threads.ToString(CultureInfo.InvariantCulture));
        return c.Time("baseline", () => baselineAccuracy.GetOrAdd(key, _ => ClassificationMetrics.Evaluate(source, set.Data, set.Samples, ct: ct, gate: gate).Accuracy));
    }

    /// <summary>Scores <paramref name="pruned"/>, recording the samples the evaluation trained on and passed forward (<paramref name="forwardSamples"/> besides validation).</summary>
    public static void Run(EvaluationRun c, ZooModel pruned, ValidationSet set, double baseAccuracy, double trainSamples, double forwardSamples, DeviceGate gate, CancellationToken ct)
    {
        var report = c.Time("validate", () => ClassificationMetrics.Evaluate(pruned, set.Data, set.Samples, ct: ct, gate: gate));
        c.Metrics[MetricNames.ComputeTrainSamples] = trainSamples;
        c.Metrics[MetricNames.ComputeForwardSamples] = forwardSamples + set.Samples;
        c.Metrics[MetricNames.Accuracy] = report.Accuracy;
        c.Metrics[MetricNames.BaselineAccuracy] = baseAccuracy;
        c.Metrics[MetricNames.ValidationSamples] = set.Samples;
        c.Metrics[MetricNames.AccuracyDrop] = (baseAccuracy - report.Accuracy) * 100.0;
        c.Metrics[MetricNames.MacroF1] = report.MacroF1;
        for (var k = 0; k < report.PerClassRecall.Count; k++)
        {
            c.Metrics[MetricNames.ClassRecall(k)] = report.PerClassRecall[k];
        }

        c.PerClassRecall = report.PerClassRecall;
    }
}
