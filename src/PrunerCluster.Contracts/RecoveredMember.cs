namespace PrunerCluster.Contracts;

/// <summary>One Pareto member after final recovery: its search-time metrics and its recovered, re-measured ones (test set).</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.RecoveredMember")]
public sealed record RecoveredMember
{
    [Id(0)] public required string Label { get; init; }

    [Id(1)] public required string MaskText { get; init; }

    [Id(2)] public required string MaskHash { get; init; }

    [Id(3)] public IReadOnlyDictionary<string, double> SearchMetrics { get; init; } = new Dictionary<string, double>();

    [Id(4)] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    [Id(5)] public bool Succeeded { get; init; }

    [Id(6)] public string? FailureReason { get; init; }

    /// <summary>Still non-dominated after recovery and re-measurement; false = it left the final front.</summary>
    [Id(7)] public bool OnFinalFront { get; init; }

    [Id(8)] public string? ExportDirectory { get; init; }

    [Id(9)] public double Seconds { get; init; }

    public double Metric(string name) => Metrics.TryGetValue(name, out var v) ? v : double.NaN;

    public static RecoveredMember From(ParetoEntry entry, string label) => new()
    {
        Label = label,
        MaskText = entry.MaskText,
        MaskHash = entry.MaskHash,
        SearchMetrics = entry.Metrics,
    };
}
