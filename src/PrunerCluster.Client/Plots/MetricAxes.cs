using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Plots;

/// <summary>Axis labels and directions of metrics, shared by every chart.</summary>
public static class MetricAxes
{
    public static string Label(string metric) => metric switch
    {
        MetricNames.Accuracy => "accuracy (validation)",
        MetricNames.AccuracyDrop => "accuracy drop (points)",
        MetricNames.Macs => "MACs per sample",
        MetricNames.Params => "parameters",
        MetricNames.SizeBytes => "size (bytes)",
        MetricNames.LatencyMs => "latency (ms per batch)",
        MetricNames.EnergyMj => "energy (mJ per batch)",
        MetricNames.KeptFraction => "kept fraction of channels",
        _ => metric,
    };

    public static bool IsMaximized(IReadOnlyList<ObjectiveDefinition> objectives, string metric)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        var objective = objectives.FirstOrDefault(o => o.Metric == metric);
        return objective is not null ? objective.Direction == ObjectiveDirection.Maximize : metric is MetricNames.Accuracy or MetricNames.Throughput;
    }

    /// <summary>True when <paramref name="a"/> is at least as good in both metrics and better in one.</summary>
    public static bool Dominates((double X, double Y) a, (double X, double Y) b, bool xMax, bool yMax)
    {
        var ax = xMax ? -a.X : a.X;
        var bx = xMax ? -b.X : b.X;
        var ay = yMax ? -a.Y : a.Y;
        var by = yMax ? -b.Y : b.Y;
        return ax <= bx && ay <= by && (ax < bx || ay < by);
    }
}
