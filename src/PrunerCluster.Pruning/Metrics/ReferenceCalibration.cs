using System.Collections.Concurrent;
using System.Globalization;

namespace PrunerCluster.Pruning.Metrics;

/// <summary>
/// The unpruned reference's latency per (checkpoint, device, threads, batch), fixed by the first timing window that
/// measures it under this host and kept for the host's life, so every reference-scaled latency of one search (search,
/// re-measurement and final recovery alike) shares one scale. Owned by the host (<see cref="PruningHostServices"/>); work
/// whose latencies must be comparable is given the same instance. Thread-safe.
/// </summary>
public sealed class ReferenceCalibration
{
    private readonly ConcurrentDictionary<string, double> _scales = new(StringComparer.Ordinal);

    /// <summary>References calibrated so far.</summary>
    public int Count => _scales.Count;

    public static string Key(string checkpointHash, string device, int threads, int batchSize) =>
        string.Join('|', checkpointHash, device, threads.ToString(CultureInfo.InvariantCulture), batchSize.ToString(CultureInfo.InvariantCulture));

    /// <summary>The calibrated latency for <paramref name="key"/>; the first caller's <paramref name="measuredMs"/> sets it.</summary>
    public double Scale(string key, double measuredMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (!(measuredMs > 0) || !double.IsFinite(measuredMs))
        {
            throw new ArgumentOutOfRangeException(nameof(measuredMs), measuredMs, "A reference latency must be positive and finite.");
        }

        return _scales.GetOrAdd(key, measuredMs);
    }
}
