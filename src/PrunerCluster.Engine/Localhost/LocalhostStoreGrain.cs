namespace PrunerCluster.Engine.Localhost;

/// <summary>One stored record: serialized state and its version (the ETag).</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.StoredRecord")]
public sealed record StoredRecord([property: Id(0)] byte[] Data, [property: Id(1)] long Version);

/// <summary>Grain state of a localhost cluster, kept in memory on the primary silo.</summary>
[Alias("prunercluster.ILocalhostStoreGrain")]
public interface ILocalhostStoreGrain : IGrainWithIntegerKey
{
    [Alias("Read")]
    Task<StoredRecord?> Read(string key);

    /// <summary>Writes when <paramref name="expectedVersion"/> matches (0: no record yet); returns the new version, or -1 on a conflict.</summary>
    [Alias("Write")]
    Task<long> Write(string key, byte[] data, long expectedVersion);

    [Alias("Clear")]
    Task Clear(string key);
}

/// <summary>
/// The localhost cluster's grain state, on the primary silo beside the membership it already keeps, so a secondary silo
/// that stops (SIGTERM drain) or dies takes no coordinator or individual state with it. Lost when the primary stops,
/// exactly like the membership: a durable cluster uses the PostgreSQL mode.
/// </summary>
[PrimarySiloPlacement, KeepAlive]
internal sealed class LocalhostStoreGrain : Grain, ILocalhostStoreGrain
{
    private readonly Dictionary<string, StoredRecord> _records = new(StringComparer.Ordinal);

    public Task<StoredRecord?> Read(string key) => Task.FromResult(_records.GetValueOrDefault(key));

    public Task<long> Write(string key, byte[] data, long expectedVersion)
    {
        var current = _records.GetValueOrDefault(key)?.Version ?? 0;
        if (current != expectedVersion)
        {
            return Task.FromResult(-1L);
        }

        _records[key] = new StoredRecord(data, current + 1);
        return Task.FromResult(current + 1);
    }

    public Task Clear(string key)
    {
        _records.Remove(key);
        return Task.CompletedTask;
    }
}
