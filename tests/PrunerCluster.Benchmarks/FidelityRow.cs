using System.Globalization;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Evaluation;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// One mask at one fidelity. Seconds are the slot-seconds of the accuracy work (the evaluation's total less loading, the
/// once-per-process unpruned accuracy, the shared teacher logits its fine-tuning filled, and the single latency pass). Forward+backward samples are fine-tune
/// steps x batch; forward-only samples are the recalibration batches x batch plus the scored samples.
/// </summary>
internal sealed record FidelityRow(
    int Mask, string Kind, string Hash, double MeanKeep, string Fidelity, int Steps, int RecalibrationBatches, bool Succeeded, string? Failure,
    double Accuracy, double AccuracyDrop, double Macs, double Seconds, long ForwardBackwardSamples, long ForwardSamples)
{
    public const string CsvHeader = "mask,kind,hash,mean_keep,fidelity,steps,recalibration_batches,succeeded,accuracy,accuracy_drop,macs,seconds,fwd_bwd_samples,fwd_samples,failure";

    private static readonly string[] NotAccuracyWork = ["load", "baseline", "teacher", "latency", "store", "export"];

    public static FidelityRow Of(FidelityMask mask, Fidelity fidelity, EvaluationSettings settings, int scored, EvaluationResult result)
    {
        var recalibrated = settings.RecalibrationBatches > 0 && result.PhaseSeconds.ContainsKey("recalibrate") && !result.Notes.Any(n => n.StartsWith("recalibration:", StringComparison.Ordinal));
        var recalibration = recalibrated ? settings.RecalibrationBatches : 0;
        var total = result.PhaseSeconds.GetValueOrDefault("total");
        var seconds = total - NotAccuracyWork.Sum(p => result.PhaseSeconds.GetValueOrDefault(p));
        return new FidelityRow(
            mask.Index, mask.Kind, mask.Hash, mask.MeanKeep, fidelity.Name, settings.FineTuneSteps, recalibration, result.Succeeded, result.FailureReason,
            result.Metrics.GetValueOrDefault(MetricNames.Accuracy, double.NaN),
            result.Metrics.GetValueOrDefault(MetricNames.AccuracyDrop, double.NaN),
            result.Metrics.GetValueOrDefault(MetricNames.Macs, double.NaN),
            seconds,
            (long)settings.FineTuneSteps * settings.BatchSize,
            ((long)recalibration * settings.BatchSize) + scored);
    }

    public string ToCsv() => string.Join(',', Mask, Kind, Hash, F(MeanKeep), Fidelity, Steps, RecalibrationBatches, Succeeded ? "true" : "false", F(Accuracy), F(AccuracyDrop), F(Macs), F(Seconds), ForwardBackwardSamples, ForwardSamples, Failure is null ? "" : "\"" + Failure.Replace("\"", "'", StringComparison.Ordinal) + "\"");

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
