using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Storage;
using PrunerCluster.Contracts;
using PrunerCluster.Grains;
using PrunerCluster.Grains.Coordination;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Storage.Postgres;
using PrunerCluster.Testing;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "cluster --postgres": the cost of PostgreSQL as the cluster's store, on a private durable server (fsync on) from
/// Debian's packages. Schema init (first and repeated), the end-to-end cost per evaluation of a zero-cost search through the
/// grains with PostgreSQL vs memory storage, and the coordinator's write-ahead (ledger chunk + coordinator state) through the
/// real ADO.NET provider for 1,000 evaluation records, one write per record (worst case) and per batch of 8, and the time
/// from <c>kill -9</c> of a silo process to re-issue (<see cref="ClusterKillSuite"/>).
/// </summary>
internal static class ClusterPostgresSuite
{
    public static async Task<int> RunAsync(bool quick)
    {
        Console.WriteLine($"cluster --postgres: {Environment.ProcessorCount} cores, private PostgreSQL (fsync on) on loopback, 1 silo in-process x 2 slots");
        await using var server = await PrivatePostgres.StartAsync(durable: true);
        var db = await server.CreateDatabaseAsync("bench");
        var clock = Stopwatch.StartNew();
        var first = await SchemaMigrator.ApplyAsync(db);
        var firstMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        await SchemaMigrator.ApplyAsync(db);
        Console.WriteLine(Invariant($"schema init: {firstMs:F0} ms for {first.Applied.Count} migrations; again (no-op) {clock.Elapsed.TotalMilliseconds:F1} ms"));

        var evaluations = quick ? 100 : 300;
        await ClusterSuite.RunSearchAsync(1, ClusterSuite.Spec("warm-up", 40, TimeSpan.Zero, 1, SearchMode.SteadyState));
        await ClusterSuite.RunSearchAsync(1, ClusterSuite.Spec("warm-up-pg", 40, TimeSpan.Zero, 1, SearchMode.SteadyState), db);
        var memory = await ClusterSuite.RunSearchAsync(1, ClusterSuite.Spec("zero-memory", evaluations, TimeSpan.Zero, 1, SearchMode.SteadyState));
        var postgres = await ClusterSuite.RunSearchAsync(1, ClusterSuite.Spec("zero-postgres", evaluations, TimeSpan.Zero, 1, SearchMode.SteadyState), db);
        var memMs = 1000 / memory.Throughput;
        var pgMs = 1000 / postgres.Throughput;
        Console.WriteLine(Invariant($"zero-cost search, {evaluations} evals through the grains: memory storage {memMs:F2} ms/eval, PostgreSQL {pgMs:F2} ms/eval: persistence adds {pgMs - memMs:F2} ms per evaluation (coordinator write-ahead + individual result + scheduler, all awaited)"));

        var stateBytes = await ScalarAsync<int>(db, "SELECT COALESCE(MAX(length(payloadbinary)), 0) FROM orleansstorage WHERE graintypestring = 'experiment'");
        Console.WriteLine(Invariant($"largest stored coordinator state after those searches: {stateBytes / 1024.0:F1} KiB"));

        var ports = ClusterSuite.FreePorts(2);
        using var silo = await ClusterSuite.StartSiloAsync(ports[0], ports[1], ports[0], "bench-ledger", db);
        try
        {
            var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(PrunerClusterStorage.Name);
            foreach (var batch in new[] { 1, 8 })
            {
                var (total, p50, p95) = await WriteAheadAsync(storage, batch, 1000);
                Console.WriteLine(Invariant($"write-ahead of 1,000 evaluation records, one persist per {batch} record(s): {total.TotalSeconds:F2} s total = {total.TotalMilliseconds / 1000:F2} ms per evaluation; per persist p50 {p50:F2} ms, p95 {p95:F2} ms"));
            }
        }
        finally
        {
            await silo.StopAsync();
        }

        await ClusterKillSuite.RunAsync(server);
        return 0;
    }

    /// <summary>The coordinator's persistence path with a realistic state: spec, prepared model, 8 in flight, engine JSON.</summary>
    private static async Task<(TimeSpan Total, double P50, double P95)> WriteAheadAsync(IGrainStorage storage, int batch, int records)
    {
        var grain = GrainId.Create("populationcoordinator", "bench-" + batch.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6]);
        var state = new StoredState<CoordinatorState>(storage, "experiment", grain);
        state.State = new CoordinatorState
        {
            ExperimentId = grain.Key.ToString(),
            Spec = ClusterSuite.Spec("ledger", records, TimeSpan.Zero, 1, SearchMode.SteadyState),
            State = ExperimentState.Running,
            Prepared = new PreparedExperiment { Segments = [new GenomeSegment("a", 32), new GenomeSegment("b", 32), new GenomeSegment("c", 64)], CheckpointHash = new string('a', 64), SettingsHash = new string('b', 64) },
            AlgorithmJson = new string('x', 24 * 1024),
        };
        for (var i = 0; i < 8; i++)
        {
            state.State.InFlight[10_000 + i] = new InFlightEvaluation { CandidateId = 10_000 + i, Key = new string('k', 64), MaskText = new string('1', 128), MaskHash = new string('h', 64), Silo = "S127.0.0.1:11111:1" };
        }

        var ledger = new EvaluationLedger(64);
        var store = new WriteAheadStore(state, new GrainStorageLedgerChunkStore(storage, grain), ledger, TimeProvider.System);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < records; i++)
        {
            ledger.Append(new EvaluationRecord
            {
                CandidateId = i,
                IndividualKey = Convert.ToHexStringLower(BitConverter.GetBytes((long)i)).PadLeft(64, '0'),
                MaskHash = new string('m', 64),
                Generation = i / 16,
                Succeeded = true,
                Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = 0.9, [MetricNames.Macs] = 1e6, [MetricNames.Params] = 1e5, [MetricNames.LatencyMs] = 3.2, [MetricNames.EnergyMj] = 2.1 },
                Silo = "S127.0.0.1:11111:1",
                CompletedAt = DateTimeOffset.UtcNow,
                EnergySource = "synthetic",
                PhaseSeconds = new Dictionary<string, double> { ["finetune"] = 1.2, ["measure"] = 0.3 },
            });
            if ((i + 1) % batch == 0 || i == records - 1)
            {
                var one = Stopwatch.StartNew();
                if (!await store.PersistAsync())
                {
                    throw new InvalidOperationException("persist failed: " + store.LastError);
                }

                times.Add(one.Elapsed.TotalMilliseconds);
            }
        }

        total.Stop();
        times.Sort();
        return (total.Elapsed, times[times.Count / 2], times[(int)(times.Count * 0.95)]);
    }

    private static async Task<T> ScalarAsync<T>(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class StoredState<T>(IGrainStorage storage, string name, GrainId grain) : IPersistentState<T>
        where T : new()
    {
        private readonly GrainState<T> _state = new(new T());

        public T State
        {
            get => _state.State!;
            set => _state.State = value;
        }

        public string? Etag => _state.ETag;

        public bool RecordExists => _state.RecordExists;

        public Task ClearStateAsync() => storage.ClearStateAsync(name, grain, _state);

        public Task ReadStateAsync() => storage.ReadStateAsync(name, grain, _state);

        public Task WriteStateAsync() => storage.WriteStateAsync(name, grain, _state);
    }
}
