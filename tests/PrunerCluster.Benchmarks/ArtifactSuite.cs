using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Engine.Storage;
using PrunerCluster.Storage.Postgres;
using PrunerCluster.Testing;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "artifacts": the postgres-mode artifact store on a private durable PostgreSQL (fsync on): put of a blob of weights
/// (hash pass + 1 MiB chunks in one transaction), the idempotent re-put, a verified streamed read, a silo's first read
/// through its cache (fetch, verify, cache) and a cache hit. Sizes: 4 MiB (a small CNN) and 64 MiB (a VGG-class model).
/// </summary>
internal static class ArtifactSuite
{
    public static int Run(string[] args) => RunAsync(args.Contains("--quick", StringComparer.Ordinal)).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(bool quick)
    {
        Console.WriteLine($"artifacts: {Environment.ProcessorCount} cores, private PostgreSQL (fsync on) on loopback, chunks of {PostgresArtifactStore.DefaultChunkSize / 1024} KiB");
        await using var server = await PrivatePostgres.StartAsync(durable: true);
        var db = await server.CreateDatabaseAsync("artifacts");
        await SchemaMigrator.ApplyAsync(db);
        var store = new PostgresArtifactStore(db);
        var root = Path.Combine(Path.GetTempPath(), "prunercluster-artifact-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            foreach (var mib in quick ? new[] { 4 } : [4, 64])
            {
                var bytes = new byte[mib << 20];
                new Random(mib).NextBytes(bytes);
                var clock = Stopwatch.StartNew();
                var key = store.Put(bytes);
                var put = clock.Elapsed;
                clock.Restart();
                store.Put(bytes);
                var again = clock.Elapsed;
                clock.Restart();
                var read = store.TryCopyTo(key, Stream.Null);
                var get = clock.Elapsed;
                var cached = new CachedArtifactStore(new LocalArtifactStore(Path.Combine(root, mib.ToString(CultureInfo.InvariantCulture))), store, NullLogger<CachedArtifactStore>.Instance);
                clock.Restart();
                var fetched = cached.Get(key)!.Length;
                var fetch = clock.Elapsed;
                clock.Restart();
                var hit = cached.Get(key)!.Length;
                var cacheHit = clock.Elapsed;
                if (!read || fetched != bytes.Length || hit != bytes.Length)
                {
                    Console.Error.WriteLine("artifact round trip failed");
                    return 1;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{mib,3} MiB: put {put.TotalMilliseconds:F0} ms ({mib / put.TotalSeconds:F0} MiB/s); put again (stored) {again.TotalMilliseconds:F0} ms; verified read {get.TotalMilliseconds:F0} ms ({mib / get.TotalSeconds:F0} MiB/s); first read through a silo cache (fetch, verify, cache) {fetch.TotalMilliseconds:F0} ms; cache hit {cacheHit.TotalMilliseconds:F0} ms"));
            }
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }

        return 0;
    }
}
