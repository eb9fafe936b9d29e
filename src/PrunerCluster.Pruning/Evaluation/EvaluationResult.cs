using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Evaluation;

/// <summary>
/// Outcome of one evaluation. On failure <see cref="FailureReason"/> says why and <see cref="Metrics"/> holds whatever was measured before.
/// <see cref="EnergySource"/> is "measured-nvml", "measured-rapl" or "modeled"; <see cref="MetricSources"/> labels every other metric
/// (measured / analytic / modeled). Phase keys: load, baseline, apply, fine_tune, validate, latency, energy, export, total (seconds).
/// </summary>
public sealed record EvaluationResult(
    bool Succeeded,
    string? FailureReason,
    IReadOnlyDictionary<string, double> Metrics,
    string EnergySource,
    IReadOnlyDictionary<string, double> PhaseSeconds,
    string Device)
{
    public IReadOnlyDictionary<string, string> MetricSources { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<double> PerClassRecall { get; init; } = [];

    /// <summary>Kept unit indices per group after repair/rounding (what was physically kept).</summary>
    public IReadOnlyDictionary<string, int[]> KeptIndices { get; init; } = new Dictionary<string, int[]>();

    public ArchitectureSpec? PrunedArchitecture { get; init; }

    /// <summary>Repairs, rounding, retries and other adjustments made while evaluating.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public string CheckpointHash { get; init; } = "";

    public string MaskHash { get; init; } = "";

    public string SettingsHash { get; init; } = "";

    public string? ExportDirectory { get; init; }

    /// <summary>SHA-256 key of the fine-tuned weights (TorchSharp state-dict bytes) in the evaluator's artifact store; null without a store.</summary>
    public string? WeightsSha256 { get; init; }

    public double Metric(string name) => Metrics.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"Metric '{name}' was not produced{(Succeeded ? "" : $" (evaluation failed: {FailureReason})")}.");
}
