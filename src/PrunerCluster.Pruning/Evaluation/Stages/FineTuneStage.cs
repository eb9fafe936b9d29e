using System.Collections.Concurrent;
using System.Globalization;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>
/// Recovery fine-tuning of the pruned model: the teacher it distils from, the learning rate (searched once per checkpoint
/// and settings when asked), then the steps themselves (<see cref="FineTuning"/>). Thread-safe: the rate cache is shared.
/// </summary>
internal sealed class FineTuneStage
{
    private readonly ConcurrentDictionary<string, LearningRateChoice> learningRates = new(StringComparer.Ordinal);

    /// <summary>
    /// What distillation learns from: the source model, with the host's shared logits over the training set when they fit
    /// (filled on demand as the steps read them); null without distillation or steps.
    /// </summary>
    public static Teacher? Teacher(EvaluationRun c, ZooModel source, ImageDataset train, int steps, TeacherLogitsCache teachers)
    {
        if (c.Settings.DistillationWeight <= 0 || steps <= 0)
        {
            return null;
        }

        return new Teacher(source, teachers.For(train, c.Checkpoint.DataKey, c.Settings.Seed));
    }

    /// <summary>The settings' rate, or the one the range test on the unpruned source picks when the search is on (noted).</summary>
    public double LearningRate(EvaluationRun c, ZooModel source, DataSplit data, int steps, int batchSize, Teacher? teacher, DeviceGate gate, CancellationToken ct)
    {
        var s = c.Settings;
        if (!s.LearningRateSearch || steps <= 0)
        {
            return s.LearningRate;
        }

        // Sparsity modes fine-tune the deployed weights (their masks refer to them), so their probes do too.
        var probe = s.Mode == PruningMode.Structured ? s : s with { RebuildBatchNorm = BatchNormRebuild.Off };
        var key = string.Join('|', c.Checkpoint.DataKey, R(s.LearningRate), s.Optimizer, R(s.DistillationWeight), R(s.DistillationTemperature), probe.RebuildBatchNorm, I(s.RecalibrationBatches), I(batchSize), s.Seed.ToString(CultureInfo.InvariantCulture), I(s.Threads));
        var choice = c.Time("lr_search", () => learningRates.GetOrAdd(key, _ => LearningRateRangeTest.Run(source, data.Train, data.Validation, probe, batchSize, teacher, gate, ct)));
        c.Notes.Add(choice.Describe());
        return choice.Rate;

        static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Runs the steps; false (with the run's failure set) when fine-tuning diverged. <paramref name="teacherForward"/>: the
    /// teacher's forward samples this run paid for (every step's batch for an online teacher, the chunks it filled for shared logits).
    /// </summary>
    public static bool Train(EvaluationRun c, ShrunkModel shrunk, ImageDataset train, FineTuneOptions options, Teacher? teacher, DeviceGate gate, CancellationToken ct, out double teacherForward)
    {
        if (options.Steps > 0)
        {
            c.Metrics[MetricNames.FineTuneLearningRate] = options.LearningRate;
        }

        var outcome = FineTuning.Run(shrunk.Model, train, c.Settings, options, teacher, shrunk.Sparsity, c.Notes.Add, c.Time, gate, ct);
        teacherForward = teacher is { Logits: null, Model: not null } && options.DistillationWeight > 0 ? (double)outcome.StepsDone * options.BatchSize : outcome.TeacherSamples;
        if (outcome.TeacherSamples > 0)
        {
            c.Phases["teacher"] = c.Phases.GetValueOrDefault("teacher") + outcome.TeacherSeconds;
            c.Phases["fine_tune"] = Math.Max(0, c.Phases.GetValueOrDefault("fine_tune") - outcome.TeacherSeconds);
        }

        if (!double.IsNaN(outcome.FinalLoss))
        {
            c.Metrics[MetricNames.FineTuneLoss] = outcome.FinalLoss;
        }

        if (outcome.Rollbacks > 0)
        {
            c.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"fine-tuning: {outcome.Rollbacks} step(s) with non-finite values undone and replayed{KernelReason()}"));
        }

        if (outcome.Diverged)
        {
            c.Failure = "fine-tuning diverged: " + outcome.Reason;
            return false;
        }

        return true;
    }

    /// <summary>The options of a fine-tuning of <paramref name="steps"/> steps at <paramref name="rate"/> under the run's settings.</summary>
    public static FineTuneOptions Options(EvaluationSettings s, int steps, int batchSize, double rate) => new()
    {
        Steps = steps,
        BatchSize = batchSize,
        LearningRate = rate,
        WarmupSteps = (int)Math.Round(s.WarmupFraction * steps, MidpointRounding.AwayFromZero),
        Optimizer = s.Optimizer,
        DistillationWeight = s.DistillationWeight,
        DistillationTemperature = s.DistillationTemperature,
        Seed = s.Seed,
    };

    private static string KernelReason() =>
        ConvolutionBackend.Process.DisabledReason is { } reason ? $"; convolutions run on libtorch's native kernels in this process since {reason}"
        : ConvolutionBackend.Process.PaddingReason is { } padded ? $"; convolutions pad channel counts to blocks of {ConvolutionBackend.ChannelBlock} in this process since {padded}" : "";
}
