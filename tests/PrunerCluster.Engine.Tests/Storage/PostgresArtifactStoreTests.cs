using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Engine.Storage;
using PrunerCluster.Storage.Postgres;
using PrunerCluster.Testing;

namespace PrunerCluster.Engine.Tests.Storage;

/// <summary>The postgres-mode artifact store on a real private PostgreSQL server, and the per-silo cache in front of it.</summary>
[Trait("Category", "Database")]
public sealed class PostgresArtifactStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly List<string> _directories = [];

    public void Dispose()
    {
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_blob_larger_than_a_chunk_round_trips_under_its_sha256_as_several_chunks()
    {
        var db = await DatabaseAsync();
        var store = new PostgresArtifactStore(db, chunkSize: 1000);
        var bytes = Bytes(4321, seed: 1);
        var key = store.Put(bytes);

        Assert.Equal(Sha256Hex.Of(bytes), key);
        Assert.Equal(bytes, store.Get(key));
        Assert.Equal(5L, await ScalarAsync<long>(db, $"SELECT COUNT(*) FROM prunercluster_artifact_chunk WHERE sha256 = '{key}'"));
        Assert.Equal(4321L, await ScalarAsync<long>(db, $"SELECT size FROM prunercluster_artifact WHERE sha256 = '{key}'"));

        // Streamed out chunk by chunk into any stream.
        using var copy = new MemoryStream();
        Assert.True(store.TryCopyTo(key, copy));
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task Putting_the_same_bytes_again_or_concurrently_stores_them_once()
    {
        var db = await DatabaseAsync();
        var store = new PostgresArtifactStore(db, chunkSize: 512);
        var bytes = Bytes(3000, seed: 2);
        var keys = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => new PostgresArtifactStore(db, chunkSize: 512).Put(bytes))));
        Assert.Single(keys.Distinct());
        Assert.Equal(keys[0], store.Put(bytes));
        Assert.Equal(1L, await ScalarAsync<long>(db, "SELECT COUNT(*) FROM prunercluster_artifact"));
        Assert.Equal(6L, await ScalarAsync<long>(db, "SELECT COUNT(*) FROM prunercluster_artifact_chunk"));
        Assert.Equal(bytes, store.Get(keys[0]));

        // An empty blob is a blob too.
        var empty = store.Put([]);
        Assert.Equal(Sha256Hex.Of([]), empty);
        Assert.Equal(Array.Empty<byte>(), store.Get(empty));
    }

    [Fact]
    public async Task A_chunk_changed_in_the_database_is_detected_on_read()
    {
        var db = await DatabaseAsync();
        var store = new PostgresArtifactStore(db, chunkSize: 256);
        var key = store.Put(Bytes(1000, seed: 3));
        await ExecuteAsync(db, $"UPDATE prunercluster_artifact_chunk SET data = set_byte(data, 7, (get_byte(data, 7) + 1) % 256) WHERE sha256 = '{key}' AND chunk_index = 2");
        var ex = Assert.Throws<InvalidDataException>(() => store.Get(key));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);

        await ExecuteAsync(db, $"DELETE FROM prunercluster_artifact_chunk WHERE sha256 = '{key}' AND chunk_index = 1");
        Assert.Contains("missing chunk 1", Assert.Throws<InvalidDataException>(() => store.Get(key)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Absent_blobs_read_as_null_and_references_name_only_stored_blobs()
    {
        var db = await DatabaseAsync();
        var store = new PostgresArtifactStore(db);
        var absent = new string('a', 64);
        Assert.Null(store.Get(absent));
        Assert.False(store.TryCopyTo(absent, Stream.Null));
        Assert.Null(store.GetReference("individual-1"));

        var first = store.Put(Bytes(10, seed: 4));
        var second = store.Put(Bytes(10, seed: 5));
        store.SetReference("individual-1", first);
        Assert.Equal(first, store.GetReference("individual-1"));
        store.SetReference("individual-1", second);
        Assert.Equal(second, new PostgresArtifactStore(db).GetReference("individual-1"));

        var ex = Assert.Throws<InvalidOperationException>(() => store.SetReference("individual-2", absent));
        Assert.Contains("does not hold it", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => store.Get("not-a-key"));
    }

    [Fact]
    public async Task A_second_silo_with_its_own_cache_fetches_verifies_and_caches_what_the_first_stored()
    {
        var db = await DatabaseAsync();
        var first = Cached(db, chunkSize: 700);
        var second = Cached(db, chunkSize: 700);
        var bytes = Bytes(5000, seed: 6);
        var key = first.Put(bytes);
        first.SetReference("individual-x", key);
        Assert.Null(second.Cache.Get(key));

        Assert.Equal(key, second.GetReference("individual-x"));
        Assert.Equal(bytes, second.Get(key));
        Assert.Equal(bytes, second.Cache.Get(key));

        // Served from the cache from now on, even with the database copy gone.
        await ExecuteAsync(db, "DELETE FROM prunercluster_artifact_ref; DELETE FROM prunercluster_artifact");
        Assert.Equal(bytes, second.Get(key));

        // A corrupt cached copy is dropped and fetched again.
        first.Put(bytes);
        var blob = Directory.EnumerateFiles(Path.Combine(second.Cache.Directory, "blobs"), key, SearchOption.AllDirectories).Single();
        File.WriteAllBytes(blob, Bytes(5000, seed: 7));
        Assert.Equal(bytes, second.Get(key));

        // Files stream in; a file written to disk from the store is verified and whole.
        var file = Path.Combine(Temp(), "weights.bin");
        File.WriteAllBytes(file, Bytes(2500, seed: 8));
        var fileKey = first.PutFile(file);
        var target = Path.Combine(Temp(), "fetched.bin");
        Assert.True(second.TryWriteTo(fileKey, target));
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(target));
        Assert.False(second.TryWriteTo(new string('b', 64), target + ".absent"));
    }

    private CachedArtifactStore Cached(string db, int chunkSize) =>
        new(new LocalArtifactStore(Temp()), new PostgresArtifactStore(db, chunkSize), NullLogger<CachedArtifactStore>.Instance);

    private string Temp()
    {
        var directory = Path.Combine(Path.GetTempPath(), "prunercluster-artifacts-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        _directories.Add(directory);
        return directory;
    }

    private async Task<string> DatabaseAsync()
    {
        var db = await postgres.Server.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db);
        return db;
    }

    private static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task ExecuteAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
