using System.Globalization;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Evaluation;

/// <summary>
/// One candidate of a <see cref="LearningRateRangeTest"/>: its rate, the unpruned model's validation accuracy after the probe and
/// the pruned probe's (NaN: diverged, or not run because the unpruned probe failed the guard or nothing is prunable).
/// </summary>
public sealed record LearningRateTrial(double Rate, double Accuracy, double PrunedAccuracy = double.NaN);

/// <summary>
/// The rate a <see cref="LearningRateRangeTest"/> chose, the unpruned model's accuracy before the probes, every trial in the order
/// run, and the full-length check of the choice on the unpruned model (NaN: not run).
/// </summary>
public sealed record LearningRateChoice(double Rate, double BaselineAccuracy, IReadOnlyList<LearningRateTrial> Trials, double CheckedAccuracy = double.NaN, int CheckedSteps = 0)
{
    public string Describe()
    {
        if (Trials.Count == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"fine-tuning rate {Rate:G3} kept: no validation samples for a range test");
        }

        var trials = string.Join(", ", Trials.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Rate:G3} -> {P(t.Accuracy)}") + (double.IsNaN(t.PrunedAccuracy) ? "" : $" / pruned {P(t.PrunedAccuracy)}")));
        var check = double.IsNaN(CheckedAccuracy) ? "" : string.Create(CultureInfo.InvariantCulture, $"; unpruned after {CheckedSteps} steps at the chosen rate: {P(CheckedAccuracy)}");
        return string.Create(CultureInfo.InvariantCulture, $"fine-tuning rate {Rate:G3} chosen by a range test ({LearningRateRangeTest.ProbeSteps} cosine-decayed steps per rate on the unpruned model and on a copy with half of every group pruned; validation accuracy {P(BaselineAccuracy)} before: ")
            + trials + check + ")";

        static string P(double v) => double.IsNaN(v) ? "diverged" : v.ToString("P2", CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// A short learning-rate range test for what the rate is for, recovering pruned models, guarded by what it must not do, damage the
/// unpruned one. Each candidate (<see cref="EvaluationSettings.LearningRate"/> x 4 down to x 1/20) fine-tunes a copy of the unpruned
/// model for <see cref="ProbeSteps"/> steps, the rate cosine-decayed to 0 as in the real run, with the evaluation's own recipe
/// (optimizer, batch, distillation, seed, BatchNorm rebuild), scored on up to <see cref="ProbeSamples"/> validation samples. A rate
/// that loses at most <see cref="GuardPoints"/> there also fine-tunes a copy pruned to half of every group (L1 order, a stand-in for
/// the masks the search will score), and the rate whose pruned copy scores best is chosen. A rate that disturbs the unpruned model for
/// 40 steps often settles over the full run (an imported ResNet lost 1.2 points after 40 steps at 2e-3 and 0.36 after 150), so the
/// choice is then checked on the unpruned model over <see cref="CheckSteps"/> (the default fine-tuning length, whatever rung first
/// asks: the choice is cached per checkpoint and settings, not per rung) and given up for the next best while that loses more than
/// <see cref="CheckPoints"/>. With no guarded rate, the unpruned probe's most accurate. Deterministic for fixed settings.
/// </summary>
public static class LearningRateRangeTest
{
    public const int ProbeSteps = 40;

    public const int ProbeSamples = 2000;

    public const double GuardPoints = 2.0;

    public const double CheckPoints = 0.5;

    public const int CheckSteps = EvaluationSettings.DefaultFineTuneSteps;

    public const double ProbeKeepFraction = 0.5;

    /// <summary>How many of the best guarded rates are checked at full length before the unpruned probe's most accurate is taken.</summary>
    public const int MaxChecks = 3;

    public static readonly IReadOnlyList<double> Factors = [4.0, 2.0, 1.0, 0.5, 0.25, 0.1, 0.05];

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
        double Score(ZooModel model) => ClassificationMetrics.Evaluate(model, validation, samples, gate: gate, ct: ct).Accuracy;
        double Tune(ZooModel source, double rate, int steps)
        {
            using var copy = MaskApplier.Clone(source);
            var outcome = FineTuning.Run(copy, train, s, Options(s, batchSize, rate, steps), teacher, sparsity: null, note: null, time: null, gate, ct);
            return outcome.Diverged ? double.NaN : Score(copy);
        }

        var baseline = Score(unpruned);
        using var pruned = HalfPruned(unpruned);
        var trials = new List<LearningRateTrial>();
        foreach (var rate in Factors.Select(f => s.LearningRate * f))
        {
            var accuracy = Tune(unpruned, rate, ProbeSteps);
            var guarded = !double.IsNaN(accuracy) && (baseline - accuracy) * 100.0 <= GuardPoints + 1e-9;
            trials.Add(new LearningRateTrial(rate, accuracy, guarded && pruned is not null ? Tune(pruned, rate, ProbeSteps) : double.NaN));
        }

        var ranked = trials.Where(t => !double.IsNaN(t.Accuracy) && (baseline - t.Accuracy) * 100.0 <= GuardPoints + 1e-9)
            .OrderByDescending(t => double.IsNaN(t.PrunedAccuracy) ? double.NegativeInfinity : t.PrunedAccuracy).ThenByDescending(t => t.Accuracy).ThenBy(t => t.Rate)
            .Take(MaxChecks)
            .ToList();
        foreach (var candidate in ranked)
        {
            var checkedAccuracy = Tune(unpruned, candidate.Rate, CheckSteps);
            if (!double.IsNaN(checkedAccuracy) && (baseline - checkedAccuracy) * 100.0 <= CheckPoints + 1e-9)
            {
                return new LearningRateChoice(candidate.Rate, baseline, trials, checkedAccuracy, CheckSteps);
            }
        }

        var best = trials.Where(t => !double.IsNaN(t.Accuracy)).OrderByDescending(t => t.Accuracy).ThenBy(t => t.Rate).FirstOrDefault() ?? trials[^1];
        return new LearningRateChoice(best.Rate, baseline, trials);
    }

    /// <summary>A copy with the less important half (L1) of every group removed; null when the model has nothing to prune.</summary>
    private static ZooModel? HalfPruned(ZooModel unpruned)
    {
        var groups = PruningStructure.Analyze(unpruned);
        if (groups.Count == 0)
        {
            return null;
        }

        var mask = PruneMask.FromRanking(groups, Importance.Rank(unpruned, ImportanceCriterion.L1), ProbeKeepFraction);
        return MaskApplier.Shrink(unpruned, MaskApplier.Resolve(unpruned, mask).Kept);
    }

    private static FineTuneOptions Options(EvaluationSettings s, int batchSize, double rate, int steps) => new()
    {
        Steps = steps,
        BatchSize = batchSize,
        LearningRate = rate,
        Cosine = true,
        Optimizer = s.Optimizer,
        DistillationWeight = s.DistillationWeight,
        DistillationTemperature = s.DistillationTemperature,
        Seed = s.Seed,
    };
}
