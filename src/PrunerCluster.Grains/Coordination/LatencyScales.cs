using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// One latency scale per experiment and device class. A silo reports latency timed against the unpruned reference as
/// <c>latency_ratio</c> times its own process's reference latency, so two silos of one class (or a silo before and after a
/// restart) would put the same model at different <c>latency_ms</c>. The coordinator fixes one reference latency per class:
/// the prepared baseline's when the experiment was prepared on a silo of that class, else the first result's; every
/// booked result of that class is rescaled to it (<c>latency_ms</c>, <c>latency_p90_ms</c>, <c>throughput</c>,
/// <c>latency_reference_ms</c>). Results timed alone (no ratio) are left as they are.
/// </summary>
public static class LatencyScales
{
    /// <summary>Seeds <paramref name="scales"/> with the prepared baseline's reference latency for the class it was prepared on.</summary>
    public static void SeedFromPrepared(IDictionary<string, double> scales, PreparedExperiment? prepared, string? preparedOnClass)
    {
        ArgumentNullException.ThrowIfNull(scales);
        if (prepared is null || string.IsNullOrEmpty(preparedOnClass)
            || !prepared.BaselineMetrics.TryGetValue(MetricNames.LatencyReferenceMs, out var reference) || !IsUsable(reference))
        {
            return;
        }

        scales.TryAdd(preparedOnClass, reference);
    }

    /// <summary>
    /// <paramref name="metrics"/> on the experiment's scale for <paramref name="deviceClass"/> (fixed by this call when the class has none yet).
    /// Returns the same instance when there is nothing to rescale.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Apply(IDictionary<string, double> scales, string? deviceClass, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(metrics);
        if (!metrics.TryGetValue(MetricNames.LatencyRatio, out var ratio) || !IsUsable(ratio)
            || !metrics.TryGetValue(MetricNames.LatencyReferenceMs, out var own) || !IsUsable(own))
        {
            return metrics;
        }

        var key = deviceClass ?? "";
        if (!scales.TryGetValue(key, out var scale))
        {
            scales[key] = own;
            return metrics;
        }

        if (scale == own)
        {
            return metrics;
        }

        var factor = scale / own;
        var rescaled = new Dictionary<string, double>(metrics, StringComparer.Ordinal)
        {
            [MetricNames.LatencyMs] = ratio * scale,
            [MetricNames.LatencyReferenceMs] = scale,
        };
        if (metrics.TryGetValue(MetricNames.LatencyP90Ms, out var p90))
        {
            rescaled[MetricNames.LatencyP90Ms] = p90 * factor;
        }

        if (metrics.TryGetValue(MetricNames.Throughput, out var throughput))
        {
            rescaled[MetricNames.Throughput] = throughput / factor;
        }

        return rescaled;
    }

    private static bool IsUsable(double value) => value > 0 && double.IsFinite(value);
}
