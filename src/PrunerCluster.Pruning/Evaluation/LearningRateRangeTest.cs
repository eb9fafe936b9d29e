using System.Globalization;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Evaluation;

/// <summary>One candidate of a <see cref="LearningRateRangeTest"/>: its rate and the unpruned model's validation accuracy after the probe (NaN: diverged).</summary>
public sealed record LearningRateTrial(double Rate, double Accuracy);

/// <summary>The rate a <see cref="LearningRateRangeTest"/> chose, the unpruned model's accuracy before the probes and every trial in the order run.</summary>
public sealed record LearningRateChoice(double Rate, double BaselineAccuracy, IReadOnlyList<LearningRateTrial> Trials)
{
    public string Describe() => Trials.Count == 0 ? string.Create(CultureInfo.InvariantCulture, $"fine-tuning rate {Rate:G3} kept: no validation samples for a range test") : string.Create(CultureInfo.InvariantCulture, $"fine-tuning rate {Rate:G3} chosen by a range test on the unpruned model ({LearningRateRangeTest.ProbeSteps} cosine-decayed steps per rate, validation accuracy {BaselineAccuracy:P2} before: ")
        + string.Join(", ", Trials.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Rate:G3} -> {(double.IsNaN(t.Accuracy) ? "diverged" : t.Accuracy.ToString("P2", CultureInfo.InvariantCulture))}"))) + ")";
}

/// <summary>
/// A short learning-rate range test on the unpruned model: starting from <see cref="EvaluationSettings.LearningRate"/> and going down
/// (x 1, 1/2, 1/4, 1/10, 1/20), each candidate fine-tunes a copy of the unpruned model for <see cref="ProbeSteps"/> steps, the rate
/// cosine-decayed from the candidate to 0 as in the real run (so a rate that first disturbs the model and then recovers passes; a
/// constant rate held for 30 steps rejected 2e-3 on a folded ResNet that a 150-step run at 2e-3 with BatchNorm rebuilt improved), with
/// the evaluation's own recipe (optimizer, batch, distillation, seed, BatchNorm rebuild), and is scored on up to
/// <see cref="ProbeSamples"/> validation samples. The first (largest) rate that loses at most <see cref="TolerancePoints"/> accuracy points is chosen; when none does, the
/// most accurate one. Deterministic for fixed settings (the same seeded batches for every candidate).
/// </summary>
public static class LearningRateRangeTest
{
    public const int ProbeSteps = 40;

    public const int ProbeSamples = 2000;

    public const double TolerancePoints = 0.25;

    public static readonly IReadOnlyList<double> Factors = [1.0, 0.5, 0.25, 0.1, 0.05];

    public static LearningRateChoice Run(ZooModel unpruned, ImageDataset train, ImageDataset validation, EvaluationSettings s, int batchSize, Teacher? teacher, DeviceGate? gate = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(unpruned);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(s);
        if (validation.Count == 0)
        {
            return new LearningRateChoice(s.LearningRate, double.NaN, []);
        }

        var samples = Math.Min(ProbeSamples, validation.Count);
        var baseline = ClassificationMetrics.Evaluate(unpruned, validation, samples, gate: gate, ct: ct).Accuracy;
        var trials = new List<LearningRateTrial>();
        foreach (var factor in Factors)
        {
            var rate = s.LearningRate * factor;
            using var probe = MaskApplier.Clone(unpruned);
            var outcome = FineTuning.Run(
                probe,
                train,
                s,
                new FineTuneOptions
                {
                    Steps = ProbeSteps,
                    BatchSize = batchSize,
                    LearningRate = rate,
                    Cosine = true,
                    Optimizer = s.Optimizer,
                    DistillationWeight = s.DistillationWeight,
                    DistillationTemperature = s.DistillationTemperature,
                    Seed = s.Seed,
                },
                teacher,
                sparsity: null,
                note: null,
                time: null,
                gate,
                ct);
            var accuracy = outcome.Diverged ? double.NaN : ClassificationMetrics.Evaluate(probe, validation, samples, gate: gate, ct: ct).Accuracy;
            trials.Add(new LearningRateTrial(rate, accuracy));
            if (!double.IsNaN(accuracy) && (baseline - accuracy) * 100.0 <= TolerancePoints + 1e-9)
            {
                return new LearningRateChoice(rate, baseline, trials);
            }
        }

        var best = trials.Where(t => !double.IsNaN(t.Accuracy)).OrderByDescending(t => t.Accuracy).ThenBy(t => t.Rate).FirstOrDefault() ?? trials[^1];
        return new LearningRateChoice(best.Rate, baseline, trials);
    }
}
