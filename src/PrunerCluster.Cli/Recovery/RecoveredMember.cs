using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Recovery;

/// <summary>One Pareto member after final recovery: its search-time metrics and its recovered, re-measured ones (test set).</summary>
public sealed record RecoveredMember
{
    public required string Label { get; init; }

    public required string MaskText { get; init; }

    public required string MaskHash { get; init; }

    public IReadOnlyDictionary<string, double> SearchMetrics { get; init; } = new Dictionary<string, double>();

    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public bool Succeeded { get; init; }

    public string? FailureReason { get; init; }

    /// <summary>Still non-dominated after recovery and re-measurement; false = it left the final front.</summary>
    public bool OnFinalFront { get; init; }

    public string? ExportDirectory { get; init; }

    public double Seconds { get; init; }

    public double Metric(string name) => Metrics.TryGetValue(name, out var v) ? v : double.NaN;

    public static RecoveredMember From(ParetoEntry entry, string label) => new()
    {
        Label = label,
        MaskText = entry.MaskText,
        MaskHash = entry.MaskHash,
        SearchMetrics = entry.Metrics,
    };
}
