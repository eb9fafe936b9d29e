using System.Collections.Concurrent;

namespace PrunerCluster.Pruning.Metrics;

/// <summary>
/// The unpruned reference's latency per (checkpoint, device, threads, batch), fixed by the first timing window that
/// measures it in this process and kept for the life of the process, so every reference-scaled latency of one search
/// (search, re-measurement and final recovery alike) shares one scale.
/// </summary>
public static class ReferenceCalibration
{
    private static readonly ConcurrentDictionary<string, double> Scales = new(StringComparer.Ordinal);

    public static string Key(string checkpointHash, string device, int threads, int batchSize) =>
        string.Join('|', checkpointHash, device, threads.ToString(System.Globalization.CultureInfo.InvariantCulture), batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The calibrated latency for <paramref name="key"/>; the first caller's <paramref name="measuredMs"/> sets it.</summary>
    public static double Scale(string key, double measuredMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (!(measuredMs > 0) || !double.IsFinite(measuredMs))
        {
            throw new ArgumentOutOfRangeException(nameof(measuredMs), measuredMs, "A reference latency must be positive and finite.");
        }

        return Scales.GetOrAdd(key, measuredMs);
    }
}
