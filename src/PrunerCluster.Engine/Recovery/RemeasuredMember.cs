using PrunerCluster.Contracts;

namespace PrunerCluster.Engine.Recovery;

/// <summary>One Pareto member after its latency was re-timed: the search-time entry and the metrics with the re-timed figures.</summary>
public sealed record RemeasuredMember
{
    public required ParetoEntry Entry { get; init; }

    /// <summary>Search-time metrics with the timed ones replaced by the re-timing's (unchanged when <see cref="Retimed"/> is false).</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>False when re-timing failed and the search-time figures were kept.</summary>
    public bool Retimed { get; init; }

    /// <summary>Why the member left the front (dominated or infeasible after re-measurement); null when it stays.</summary>
    public string? LeftReason { get; init; }

    public bool Stays => LeftReason is null;

    public double SearchLatencyMs => Entry.Metrics.TryGetValue(MetricNames.LatencyMs, out var v) ? v : double.NaN;

    public double LatencyMs => Metrics.TryGetValue(MetricNames.LatencyMs, out var v) ? v : double.NaN;
}
