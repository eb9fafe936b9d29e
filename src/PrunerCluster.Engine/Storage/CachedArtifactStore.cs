using Microsoft.Extensions.Logging;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Storage.Postgres;

namespace PrunerCluster.Engine.Storage;

/// <summary>
/// The artifact store of a postgres-mode silo (and of the CLI against such a cluster): PostgreSQL is the shared truth, a
/// local directory (one per silo) the cache. Writes go to both; a read is served from the cache when it holds a verified
/// copy, else streamed from PostgreSQL into the cache (verified against its key on the way), then served. References live
/// only in PostgreSQL, so every process sees the others' names.
/// </summary>
public sealed partial class CachedArtifactStore(LocalArtifactStore cache, PostgresArtifactStore remote, ILogger<CachedArtifactStore> logger) : IArtifactStore
{
    public LocalArtifactStore Cache { get; } = cache;

    public PostgresArtifactStore Remote { get; } = remote;

    public string Put(ReadOnlySpan<byte> content)
    {
        var key = Cache.Put(content);
        Remote.Put(content);
        return key;
    }

    public string PutFile(string path)
    {
        var key = Cache.PutFile(path);
        using var file = File.OpenRead(path);
        var stored = Remote.Put(file);
        return string.Equals(stored, key, StringComparison.Ordinal)
            ? key
            : throw new IOException($"'{path}' changed while it was stored (SHA-256 {key} in the cache, {stored} in PostgreSQL).");
    }

    public byte[]? Get(string sha256)
    {
        try
        {
            if (Cache.Get(sha256) is { } cached)
            {
                return cached;
            }
        }
        catch (InvalidDataException ex)
        {
            LogCorruptCopy(logger, sha256, ex.Message);
            Cache.Remove(sha256);
        }

        return Fetch(sha256) ? Cache.Get(sha256) : null;
    }

    public bool TryWriteTo(string sha256, string path) => Get(sha256) is not null && Cache.TryWriteTo(sha256, path);

    public void SetReference(string reference, string sha256)
    {
        if (!Remote.Contains(sha256))
        {
            // Written to the cache only (by an earlier version, or while PostgreSQL was down): upload it before naming it.
            var bytes = Cache.Get(sha256) ?? throw new InvalidOperationException($"Reference '{reference}' cannot point at artifact {sha256}: neither PostgreSQL nor the cache holds it.");
            Remote.Put(bytes);
        }

        Remote.SetReference(reference, sha256);
    }

    public string? GetReference(string reference) => Remote.GetReference(reference);

    public override string ToString() => $"PostgreSQL at {Remote.Describe()} (cache '{Cache.Directory}')";

    private bool Fetch(string sha256)
    {
        var staging = Path.Combine(Cache.Directory, "staging");
        Directory.CreateDirectory(staging);
        var temp = Path.Combine(staging, sha256 + "." + Guid.NewGuid().ToString("N")[..12] + ".part");
        try
        {
            long bytes;
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                if (!Remote.TryCopyTo(sha256, file))
                {
                    return false;
                }

                bytes = file.Length;
            }

            Cache.PutFile(temp);
            LogFetched(logger, sha256, bytes, Remote.Describe(), Cache.Directory);
            return true;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched artifact {Sha256} ({Bytes} bytes) from PostgreSQL at {Source} into the cache '{Cache}'")]
    private static partial void LogFetched(ILogger logger, string sha256, long bytes, string source, string cache);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cached copy of artifact {Sha256} is corrupt ({Reason}); fetching it again")]
    private static partial void LogCorruptCopy(ILogger logger, string sha256, string reason);
}
