using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;
using PrunerCluster.Contracts;
using PrunerCluster.Grains;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Testing;

namespace PrunerCluster.Engine.Tests.Storage;

/// <summary>Grain state through the real ADO.NET provider on a real PostgreSQL server, with our schema.</summary>
[Trait("Category", "Database")]
public sealed class GrainStateRoundTripTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Deep value comparison (the Orleans wire bytes also encode type-table order, so they are not compared).</summary>
    private static string Canonical(object? value) => JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object), Json);

    [Fact]
    public async Task Every_persisted_grain_state_round_trips_through_postgres()
    {
        var db = await postgres.Server.CreateDatabaseAsync();
        await using var silo = await PostgresSilo.StartAsync(db, "roundtrip");
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(PrunerClusterStorage.Name);
        var serializer = silo.Services.GetRequiredService<Serializer>();
        var samples = Samples();
        var persisted = PersistedStateTypes();
        Assert.NotEmpty(persisted);
        Assert.Empty(persisted.Where(t => !samples.ContainsKey(t)).Select(t => t.Name));

        var method = typeof(GrainStateRoundTripTests).GetMethod(nameof(RoundTripAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var (type, sample) in samples)
        {
            await (Task)method.MakeGenericMethod(type).Invoke(null, [storage, serializer, sample])!;
        }

        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM orleansstorage WHERE payloadbinary IS NOT NULL", connection);
        Assert.True((long)(await count.ExecuteScalarAsync())! >= samples.Count);
    }

    [Fact]
    public async Task A_finished_experiment_reads_the_same_after_the_whole_cluster_restarts()
    {
        var db = await postgres.Server.CreateDatabaseAsync();
        var spec = new ExperimentSpec
        {
            Name = "restart",
            Backend = "synthetic",
            Model = "vgg",
            Dataset = "synthetic",
            Search = new SearchSettings { PopulationSize = 6, Seed = 11 },
            Budget = new BudgetSettings { MaxEvaluations = 18 },
            Synthetic = new SyntheticSettings { Duration = TimeSpan.FromMilliseconds(20), SegmentBits = [8, 8], Salt = "restart" },
        };

        string id;
        string evaluations;
        string pareto;
        ExperimentStatus before;
        await using (var silo = await PostgresSilo.StartAsync(db, "restart"))
        {
            var submitted = await silo.Grains.SubmitExperimentAsync(spec);
            Assert.True(submitted.Accepted, string.Join("; ", submitted.Errors));
            id = submitted.ExperimentId!;
            before = await silo.Grains.WaitForExperimentAsync(id, TimeSpan.FromMilliseconds(200)).WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(ExperimentState.Completed, before.State);
            evaluations = Canonical(await silo.Grains.GetExperiment(id).GetEvaluations());
            pareto = Canonical(await silo.Grains.GetExperiment(id).GetParetoSet());
            Assert.Equal(18, before.Evaluated);
        }

        await using (var silo = await PostgresSilo.StartAsync(db, "restart"))
        {
            var after = await silo.Grains.GetExperiment(id).GetStatus();
            Assert.Equal(before.State, after.State);
            Assert.Equal(before.Evaluated, after.Evaluated);
            Assert.Equal(before.ParetoSize, after.ParetoSize);
            Assert.Equal(before.Hypervolume, after.Hypervolume);
            Assert.Equal(evaluations, Canonical(await silo.Grains.GetExperiment(id).GetEvaluations()));
            Assert.Equal(pareto, Canonical(await silo.Grains.GetExperiment(id).GetParetoSet()));
            var listed = await silo.Grains.GetExperimentRegistry().List();
            Assert.Contains(listed, s => s.ExperimentId == id);
        }
    }

    private static async Task RoundTripAsync<T>(IGrainStorage storage, Serializer serializer, T sample)
    {
        var grainId = GrainId.Create("roundtrip", typeof(T).Name);
        var written = new GrainState<T>(sample);
        await storage.WriteStateAsync(typeof(T).Name, grainId, written);
        Assert.False(string.IsNullOrEmpty(written.ETag));
        var read = new GrainState<T>();
        await storage.ReadStateAsync(typeof(T).Name, grainId, read);
        Assert.True(read.RecordExists, typeof(T).Name);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(Canonical(sample), Canonical(read.State));

        // A second write with the read ETag succeeds; a stale ETag is refused (no lost update between two activations).
        await storage.WriteStateAsync(typeof(T).Name, grainId, read);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(typeof(T).Name, grainId, written));
    }

    /// <summary>Every T of an IPersistentState&lt;T&gt; a grain constructor asks for, plus states grains write through IGrainStorage directly.</summary>
    private static HashSet<Type> PersistedStateTypes()
    {
        var types = new HashSet<Type>();
        foreach (var grain in typeof(PrunerClusterStorage).Assembly.GetTypes())
        {
            foreach (var ctor in grain.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            {
                foreach (var p in ctor.GetParameters())
                {
                    if (p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(IPersistentState<>))
                    {
                        types.Add(p.ParameterType.GetGenericArguments()[0]);
                    }
                }
            }
        }

        foreach (var extra in PrunerClusterStorage.DirectStateTypes)
        {
            types.Add(extra);
        }

        return types;
    }

    private static Dictionary<Type, object> Samples()
    {
        var spec = new ExperimentSpec
        {
            Name = "sample",
            Backend = "synthetic",
            Model = "vgg",
            Dataset = "synthetic",
            Search = new SearchSettings { PopulationSize = 6, Seed = 11 },
            Budget = new BudgetSettings { MaxEvaluations = 18, WallClock = TimeSpan.FromMinutes(5) },
            Synthetic = new SyntheticSettings { Duration = TimeSpan.FromMilliseconds(20), SegmentBits = [8, 8], Salt = "s" },
        };
        var prepared = new PreparedExperiment
        {
            Segments = [new GenomeSegment("conv1", 8), new GenomeSegment("conv2", 8, IntGenes: 1, IntGeneMax: 3)],
            CheckpointHash = new string('a', 64),
            SettingsHash = new string('b', 64),
            BaselineMetrics = new Dictionary<string, double> { [MetricNames.Accuracy] = 0.9, [MetricNames.Macs] = 1e6 },
            SegmentImportance = new Dictionary<string, double[]> { ["conv1"] = [0.5, 0.25] },
            PreparedOn = "S127.0.0.1:11111:1",
        };
        var outcome = new EvaluationOutcome
        {
            Succeeded = true,
            Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = 0.81, [MetricNames.Macs] = 5e5 },
            EnergySource = "synthetic",
            PhaseSeconds = new Dictionary<string, double> { ["finetune"] = 1.5 },
            Device = "cpu",
            Silo = "S127.0.0.1:11111:1",
            StartedAt = At,
            CompletedAt = At.AddSeconds(2),
            QueueSeconds = 0.25,
        };
        var record = new EvaluationRecord
        {
            CandidateId = 7,
            IndividualKey = new string('c', 64),
            MaskHash = new string('d', 64),
            Generation = 1,
            Succeeded = true,
            Metrics = outcome.Metrics,
            Silo = outcome.Silo,
            CompletedAt = At,
            EnergySource = "synthetic",
            PhaseSeconds = outcome.PhaseSeconds,
        };
        var failed = record with { CandidateId = 8, Succeeded = false, FailureReason = "kept fraction too small" };
        return new Dictionary<Type, object>
        {
            [typeof(CoordinatorState)] = new CoordinatorState
            {
                ExperimentId = "sample-1",
                Spec = spec,
                State = ExperimentState.Running,
                Prepared = prepared,
                AlgorithmJson = "{\"version\":1}",
                InFlight = { [9] = new InFlightEvaluation { CandidateId = 9, Key = "k9", MaskText = "10101", MaskHash = "h9", Generation = 2, Silo = "S127.0.0.1:11112:2", LastContact = At, Attempts = 2 } },
                LedgerCount = 2,
                CacheHits = 1,
                Reissued = 3,
                Errors = { "candidate 8: kept fraction too small" },
                SubmittedAt = At,
                StartedAt = At.AddSeconds(1),
            },
            [typeof(LedgerChunkState)] = new LedgerChunkState { Records = [record, failed] },
            [typeof(IndividualState)] = new IndividualState { Outcome = outcome, MaskText = "10101", Runs = 2 },
            [typeof(RegistryState)] = new RegistryState
            {
                Experiments = [new ExperimentSummary { ExperimentId = "sample-1", Name = "sample", SubmittedAt = At }],
                Submitted = 1,
            },
        };
    }
}
