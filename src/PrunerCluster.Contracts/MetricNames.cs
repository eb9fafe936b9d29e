namespace PrunerCluster.Contracts;

/// <summary>Metric names that objectives and constraints may refer to (lowercase snake_case).</summary>
public static class MetricNames
{
    public const string Accuracy = "accuracy";
    public const string AccuracyDrop = "accuracy_drop";
    public const string MacroF1 = "macro_f1";
    public const string Macs = "macs";
    public const string Flops = "flops";
    public const string Params = "params";
    public const string SizeBytes = "size_bytes";
    public const string LatencyMs = "latency_ms";
    public const string Throughput = "throughput";
    public const string PeakMemoryBytes = "peak_memory_bytes";
    public const string EnergyMj = "energy_mj";
    public const string KeptFraction = "kept_fraction";

    /// <summary>Half-width of the latency median's 95 % confidence interval, percent of the median (spread, not an objective).</summary>
    public const string LatencyCiPercent = "latency_ci_pct";

    /// <summary>Coefficient of variation of one model's timed passes (spread, not an objective).</summary>
    public const string LatencyCv = "latency_cv";

    /// <summary>Timed passes behind latency_ms.</summary>
    public const string LatencyRuns = "latency_runs";

    /// <summary>The model's own median before scaling by the unpruned reference (spread, not an objective).</summary>
    public const string LatencyRawMs = "latency_raw_ms";

    /// <summary>Latency over the unpruned model's, timed in alternation (scale-free; an objective like latency_ms).</summary>
    public const string LatencyRatio = "latency_ratio";

    /// <summary>The unpruned reference's latency that latency_ratio is scaled by to give latency_ms.</summary>
    public const string LatencyReferenceMs = "latency_reference_ms";

    /// <summary>90th percentile of the timed passes, on the latency_ms scale.</summary>
    public const string LatencyP90Ms = "latency_p90_ms";

    /// <summary>Compute of one evaluation: samples through forward and backward passes (fine-tune steps times batch).</summary>
    public const string ComputeTrainSamples = "compute_train_samples";

    /// <summary>Compute of one evaluation: samples through forward passes only (BatchNorm recalibration, validation, an online teacher).</summary>
    public const string ComputeForwardSamples = "compute_forward_samples";

    /// <summary>Multi-fidelity search: the rung of search.fidelities a result was measured at (0 = cheapest).</summary>
    public const string FidelityRung = "fidelity_rung";

    /// <summary>Multi-fidelity search: fine-tune steps of the rung a result was measured at.</summary>
    public const string FidelitySteps = "fidelity_steps";

    /// <summary>Fine-tune steps an evaluation continued from (a promotion, or a final recovery of a ladder's member); absent = from the baseline.</summary>
    public const string WarmStartSteps = "warm_start_steps";

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
        "effective_macs", "nonzero_params",
    ];

    public static bool IsStructural(string name) => Structural.Contains(name, StringComparer.Ordinal);

    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}
