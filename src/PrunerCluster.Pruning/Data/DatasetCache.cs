using System.Collections.Concurrent;
using System.Globalization;

namespace PrunerCluster.Pruning.Data;

/// <summary>
/// Thread-safe cache of loaded splits, so evaluations do not re-read files. Owned by a host (a silo's backend, a tool, a test
/// fixture) and given to what loads data there; two caches never share an entry.
/// </summary>
public sealed class DatasetCache
{
    private readonly ConcurrentDictionary<string, Lazy<DataSplit>> entries = new(StringComparer.Ordinal);

    public int Count => entries.Count;

    public DataSplit GetOrLoad(string name, string? root, int validationSize, ulong splitSeed)
    {
        var key = string.Join('|', name.ToLowerInvariant(), root ?? "<default>", validationSize.ToString(CultureInfo.InvariantCulture), splitSeed.ToString(CultureInfo.InvariantCulture));
        var lazy = entries.GetOrAdd(key, _ => new Lazy<DataSplit>(() => DatasetCatalog.Load(name, root, validationSize, splitSeed), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            entries.TryRemove(new KeyValuePair<string, Lazy<DataSplit>>(key, lazy));
            throw;
        }
    }

    /// <summary>A data set chosen by format; keyed by the descriptor's canonical string.</summary>
    public DataSplit GetOrLoad(DatasetDescriptor descriptor, ulong splitSeed)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var key = "descriptor|" + descriptor.ToCanonicalString() + "|" + splitSeed.ToString(CultureInfo.InvariantCulture);
        var lazy = entries.GetOrAdd(key, _ => new Lazy<DataSplit>(() => DatasetCatalog.Load(descriptor, splitSeed), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            entries.TryRemove(new KeyValuePair<string, Lazy<DataSplit>>(key, lazy));
            throw;
        }
    }

    public void Clear() => entries.Clear();
}
