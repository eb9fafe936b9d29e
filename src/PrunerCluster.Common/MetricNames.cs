namespace PrunerCluster;

/// <summary>
/// Metric keys of every evaluation's metrics, in lowercase snake_case: what the pruning engine measures, what the contract
/// carries and what objectives and constraints name (<see cref="All"/>). One list for every layer.
/// </summary>
public static class MetricNames
{
    /// <summary>Compute of one evaluation: samples through forward and backward passes (fine-tune steps times batch).</summary>
    public const string ComputeTrainSamples = "compute_train_samples";

    /// <summary>Compute of one evaluation: samples through forward passes only (BatchNorm recalibration, validation, an online teacher).</summary>
    public const string ComputeForwardSamples = "compute_forward_samples";

    /// <summary>Fine-tune steps an evaluation inherited from a warm start (a lower rung's weights) instead of running them.</summary>
    public const string WarmStartSteps = "warm_start_steps";

    /// <summary>Validation (or test) top-1 accuracy, fraction 0..1.</summary>
    public const string Accuracy = "accuracy";

    /// <summary>Unpruned accuracy minus pruned accuracy on the same samples, in percentage points.</summary>
    public const string AccuracyDrop = "accuracy_drop";
    public const string MacroF1 = "macro_f1";

    /// <summary>Dense multiply-accumulates per sample of the (shrunk) architecture: conv and linear layers.</summary>
    public const string Macs = "macs";

    /// <summary>2 x macs.</summary>
    public const string Flops = "flops";
    public const string Params = "params";

    /// <summary>Bytes of the model saved in TorchSharp format.</summary>
    public const string SizeBytes = "size_bytes";

    /// <summary>Median wall time of one forward pass at the latency batch size, milliseconds.</summary>
    public const string LatencyMs = "latency_ms";

    /// <summary>Samples per second at the latency batch size.</summary>
    public const string Throughput = "throughput";
    public const string PeakMemoryBytes = "peak_memory_bytes";

    /// <summary>Millijoules per inference (one sample).</summary>
    public const string EnergyMj = "energy_mj";

    /// <summary>Kept units over all prunable units.</summary>
    public const string KeptFraction = "kept_fraction";

    /// <summary>MACs counting only non-zero weights (differs from macs under unstructured sparsity).</summary>
    public const string EffectiveMacs = "effective_macs";
    public const string NonzeroParams = "nonzero_params";

    /// <summary>macs / unpruned macs.</summary>
    public const string MacRatio = "mac_ratio";
    public const string BaselineAccuracy = "baseline_accuracy";

    /// <summary>How many images accuracy was scored on (the 95 % interval of an accuracy p is about 1.96 sqrt(p (1 - p) / n)).</summary>
    public const string ValidationSamples = "validation_samples";
    public const string BaselineMacs = "baseline_macs";
    public const string FineTuneLoss = "fine_tune_loss";

    /// <summary>Peak fine-tuning learning rate used (the range test's choice when <c>EvaluationSettings.LearningRateSearch</c> is on).</summary>
    public const string FineTuneLearningRate = "fine_tune_lr";

    public const string LatencyP90Ms = "latency_p90_ms";

    /// <summary>Half-width of the latency median's 95 % confidence interval, percent of the median.</summary>
    public const string LatencyCiPercent = "latency_ci_pct";

    /// <summary>Coefficient of variation of the timed passes (0.05 = 5 %).</summary>
    public const string LatencyCv = "latency_cv";

    /// <summary>Timed passes behind <see cref="LatencyMs"/>.</summary>
    public const string LatencyRuns = "latency_runs";

    /// <summary>The model's own median in its timing window, before the reference scaling (equals latency_ms without a reference).</summary>
    public const string LatencyRawMs = "latency_raw_ms";

    /// <summary>Median per-pair ratio of the model's time over the unpruned reference's, timed in alternation.</summary>
    public const string LatencyRatio = "latency_ratio";

    /// <summary>The unpruned reference's latency this process calibrated once; latency_ms = latency_ratio x this.</summary>
    public const string LatencyReferenceMs = "latency_reference_ms";

    /// <summary>Threads libtorch used while timing (0 on CUDA).</summary>
    public const string LatencyThreads = "latency_threads";

    public static string ClassRecall(int cls) => "recall_class_" + cls.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Multi-fidelity search: the rung of search.fidelities a result was measured at (0 = cheapest).</summary>
    public const string FidelityRung = "fidelity_rung";

    /// <summary>Multi-fidelity search: fine-tune steps of the rung a result was measured at.</summary>
    public const string FidelitySteps = "fidelity_steps";

    public static IReadOnlyList<string> All { get; } =
    [
        Accuracy, AccuracyDrop, MacroF1, Macs, Flops, Params, SizeBytes,
        LatencyMs, Throughput, PeakMemoryBytes, EnergyMj, KeptFraction, LatencyRatio,
    ];

    /// <summary>Metrics bounded to [0, 1].</summary>
    public static IReadOnlyList<string> Fractions { get; } = [Accuracy, MacroF1, KeptFraction];

    /// <summary>
    /// Metrics of the pruned model's shape and of its timing, exact at any fidelity: a lower rung of a ladder measures them
    /// as the top rung would. Every other metric (accuracy, drop, F1, recalls, losses) depends on how long it was trained.
    /// </summary>
    public static IReadOnlyList<string> Structural { get; } =
    [
        Macs, Flops, Params, SizeBytes, LatencyMs, Throughput, PeakMemoryBytes, EnergyMj, KeptFraction, LatencyRatio,
        EffectiveMacs, NonzeroParams,
    ];

    public static bool IsStructural(string name) => Structural.Contains(name, StringComparer.Ordinal);

    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}
