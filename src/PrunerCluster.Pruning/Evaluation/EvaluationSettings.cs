using System.Text.Json;
using System.Text.Json.Serialization;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Evaluation;

/// <summary>
/// How one individual is evaluated. Defaults are sized so that one full evaluation of the unpruned VGG-style CNN takes about 20-30 s on
/// 2 CPU cores (fine-tuning ~0.09 s per batch-64 step at full width x 150 steps, ~4 s for 5000 validation samples, ~1.5 s latency) and
/// pruned individuals proportionally less, so an embedded search of ~20 evaluations fits in ~10 minutes.
/// </summary>
public sealed record EvaluationSettings
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false, Converters = { new JsonStringEnumConverter() } };

    /// <summary>The default of <see cref="FineTuneSteps"/>.</summary>
    public const int DefaultFineTuneSteps = 150;

    /// <summary>Recovery fine-tuning steps (0 = evaluate right after pruning).</summary>
    public int FineTuneSteps { get; init; } = DefaultFineTuneSteps;

    /// <summary>
    /// Training batches (of <see cref="BatchSize"/>) on which every BatchNorm layer's running statistics are re-estimated after
    /// pruning and before fine-tuning (adaptive BatchNorm, EagleEye; <see cref="Training.BatchNormRecalibration"/>); 0 = off.
    /// </summary>
    public int RecalibrationBatches { get; init; } = 16;

    /// <summary>
    /// Peak learning rate (Adam), cosine-decayed to 0 over the steps. With distillation, 2e-3 recovered uniformly pruned VGGs
    /// best (300 steps, 45 % / 55 % of channels pruned: 90.14 % / 89.36 % against 89.56 % / 88.22 % at 1e-3 without it).
    /// </summary>
    public double LearningRate { get; init; } = 2e-3;

    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// Choose the fine-tuning rate by a short range test on the unpruned model instead of using <see cref="LearningRate"/> as
    /// is (<see cref="LearningRateRangeTest"/>): candidates <see cref="LearningRate"/> x 1, 1/2, 1/4, 1/10, 1/20, each for a few
    /// steps at a constant rate from the baseline; the largest that loses no accuracy is used. Set by the silo for imported
    /// models whose spec sets no rate. The choice is recorded as the metric <c>fine_tune_lr</c> and in the notes.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool LearningRateSearch { get; init; }

    /// <summary>
    /// Whether fine-tuning re-inserts BatchNorm after folded convolutions of imported graphs and folds it back afterwards
    /// (<see cref="Models.TrainingForm"/>); default <see cref="BatchNormRebuild.Imported"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public BatchNormRebuild RebuildBatchNorm { get; init; }

    /// <summary>
    /// Input normalisation (<see cref="Data.InputNormalization"/> canonical text; null: the training file's per-channel statistics),
    /// applied to every split an evaluation reads (recalibration, fine-tuning, validation, test, export checks). Part of
    /// <see cref="ContentHash"/> when set, so results under another normalisation are never reused.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Normalization { get; init; }

    /// <summary>Fraction of the fine-tune steps over which the learning rate warms up linearly (0 = none; at most 0.5).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double WarmupFraction { get; init; }

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>
    /// Knowledge-distillation weight from the unpruned model (0 = off). The teacher's logits over the training set are computed
    /// once per process and reused by every evaluation (<see cref="Training.TeacherLogits"/>).
    /// </summary>
    public double DistillationWeight { get; init; } = 0.5;

    public double DistillationTemperature { get; init; } = 4;

    /// <summary>Samples of the validation split (or test split, see <see cref="UseTestSet"/>) scored per evaluation.</summary>
    public int ValidationSamples { get; init; } = 5000;

    public int LatencyBatchSize { get; init; } = 64;

    /// <summary>Fewest timed forward passes; more follow until the median's confidence interval is tight (see <see cref="LatencyTargetCiPercent"/>).</summary>
    public int LatencyRuns { get; init; } = 20;

    public int LatencyWarmup { get; init; } = 3;

    /// <summary>Cap on timed passes; equal to <see cref="LatencyRuns"/> disables adaptive repeats.</summary>
    public int LatencyMaxRuns { get; init; } = 80;

    /// <summary>Repeat until the median's 95 % confidence interval is within +- this percentage of it (or a cap is hit).</summary>
    public double LatencyTargetCiPercent { get; init; } = 3.0;

    /// <summary>Cap on the seconds spent in timed passes for one model.</summary>
    public double LatencyMaxSeconds { get; init; } = 8.0;

    /// <summary>
    /// Time with the device held exclusively (other slots pause between fine-tune steps) and with this evaluation's
    /// <see cref="Threads"/>. Off only to demonstrate the noise it removes.
    /// </summary>
    public bool ExclusiveTiming { get; init; } = true;

    /// <summary>
    /// Time each model in alternation with the unpruned model and scale the ratio (default): on 2 shared cores the
    /// medians of one model drifted 8-11 % (coefficient of variation) over a minute, the ratios 1.4-1.8 %.
    /// </summary>
    public Metrics.LatencyReference LatencyReference { get; init; } = Metrics.LatencyReference.Unpruned;

    [JsonIgnore]
    public Metrics.LatencyPolicy LatencyPolicy => new()
    {
        Warmup = LatencyWarmup,
        MinRuns = LatencyRuns,
        MaxRuns = Math.Max(LatencyRuns, LatencyMaxRuns),
        TargetCiPercent = LatencyTargetCiPercent,
        MaxSeconds = LatencyMaxSeconds,
    };

    /// <summary>Repeated-inference window for measured energy (counters update every 20-100 ms). Unused when energy is modeled.</summary>
    public TimeSpan EnergyWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Which units a level genome (and the uniform and sensitivity sweeps) keeps first: the importance order computed once
    /// per experiment on the unpruned model (Taylor on <see cref="ImportanceBatches"/> seeded training batches). Default
    /// BatchNorm |gamma| (L2 of the filters for groups without BatchNorm): on the VGG with 300 recovery steps, uniformly
    /// pruned by 45 / 60 / 70 %, it recovered to 89.60 / 87.75 / 86.03 % against L1's 89.15 / 87.15 / 85.03 % (two
    /// fine-tuning seeds at 60 and 70 %, one at 45 %).
    /// </summary>
    public Criteria.ImportanceCriterion Importance { get; init; } = Criteria.ImportanceCriterion.BatchNormScale;

    /// <summary>Training batches (of <see cref="BatchSize"/>) the Taylor criterion averages over.</summary>
    public int ImportanceBatches { get; init; } = 32;

    /// <summary>0 (off), 8 or 16: kept counts are rounded up to a multiple (or the full group) with the most important units.</summary>
    public int RoundChannelsTo { get; init; }

    public PruningMode Mode { get; init; } = PruningMode.Structured;

    /// <summary>Sparsity fraction per level; a mask's sparsity level for a group indexes this list (Unstructured/Hybrid).</summary>
    public IReadOnlyList<double> SparsityLevels { get; init; } = [0.0, 0.25, 0.5, 0.75, 0.9];

    public EmptyGroupPolicy EmptyGroups { get; init; } = EmptyGroupPolicy.Repair;

    /// <summary>Score on the test split instead of validation: only for reporting the final Pareto set.</summary>
    public bool UseTestSet { get; init; }

    public ulong Seed { get; init; } = 1;

    public int Threads { get; init; } = 2;

    [JsonIgnore]
    public string ContentHash => Sha256Hex.Of(ToJson());

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static EvaluationSettings FromJson(string json) =>
        JsonSerializer.Deserialize<EvaluationSettings>(json, JsonOptions) ?? throw new JsonException("Empty evaluation settings JSON.");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(FineTuneSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(RecalibrationBatches);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LearningRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        if (!(WarmupFraction is >= 0 and <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupFraction), WarmupFraction, "Must be in [0, 0.5].");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(DistillationWeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DistillationWeight, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DistillationTemperature);
        ArgumentOutOfRangeException.ThrowIfLessThan(ValidationSamples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(LatencyBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(LatencyRuns, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(LatencyWarmup);
        LatencyPolicy.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
        if (EnergyWindow < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(EnergyWindow), EnergyWindow, "Energy window must not be negative.");
        }

        if (!Enum.IsDefined(Importance))
        {
            throw new ArgumentOutOfRangeException(nameof(Importance), Importance, "Must be L1, L2, BatchNormScale, Taylor or Random.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ImportanceBatches, 1);
        if (!Enum.IsDefined(RebuildBatchNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(RebuildBatchNorm), RebuildBatchNorm, "Must be Imported or Off.");
        }

        if (!Enum.IsDefined(LatencyReference))
        {
            throw new ArgumentOutOfRangeException(nameof(LatencyReference), LatencyReference, "Must be None or Unpruned.");
        }

        if (RoundChannelsTo is not (0 or 8 or 16))
        {
            throw new ArgumentOutOfRangeException(nameof(RoundChannelsTo), RoundChannelsTo, "Must be 0, 8 or 16.");
        }

        if (SparsityLevels is null || SparsityLevels.Count == 0 || SparsityLevels.Any(s => s is < 0 or >= 1 || double.IsNaN(s)))
        {
            throw new ArgumentException("SparsityLevels must be a non-empty list of fractions in [0, 1).", nameof(SparsityLevels));
        }
    }
}

/// <summary>When fine-tuning trains a folded convolution with a re-inserted BatchNorm (<see cref="Models.TrainingForm"/>).</summary>
public enum BatchNormRebuild
{
    /// <summary>For imported (ONNX) graphs, whose exporters fold BatchNorm into the convolutions.</summary>
    Imported,

    /// <summary>Never: fine-tune the deployed weights as they are.</summary>
    Off,
}
