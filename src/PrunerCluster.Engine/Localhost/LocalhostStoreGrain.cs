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
/// that stops (SIGTERM drain) or dies takes no coordinator or individual state with it. Held by the primary's
/// <see cref="LocalhostRecordStore"/>: lost when the primary stops, exactly like the membership, unless a journal is
/// attached (an embedded search journals to its run directory); a durable cluster uses the PostgreSQL mode.
/// </summary>
[PrimarySiloPlacement, KeepAlive]
internal sealed class LocalhostStoreGrain(LocalhostRecordStore records) : Grain, ILocalhostStoreGrain
{
    public Task<StoredRecord?> Read(string key) => Task.FromResult(records.Read(key));

    public Task<long> Write(string key, byte[] data, long expectedVersion) => Task.FromResult(records.Write(key, data, expectedVersion));

    public Task Clear(string key)
    {
        records.Clear(key);
        return Task.CompletedTask;
    }
}
