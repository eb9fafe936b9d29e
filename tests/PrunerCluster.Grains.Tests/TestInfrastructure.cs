using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Slots;

namespace PrunerCluster.Grains.Tests;

/// <summary>
/// Grain storage shared by every silo of one test cluster. Orleans' MemoryGrainStorage keeps state in grains that die
/// with their silo, which would make a silo kill lose the coordinator's state; a real deployment uses a database.
/// </summary>
internal sealed class SharedGrainStore
{
    public ConcurrentDictionary<string, byte[]> Items { get; } = new(StringComparer.Ordinal);
}

internal sealed class SharedGrainStorage(SharedGrainStore store, Serializer serializer) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (store.Items.TryGetValue(Key(stateName, grainId), out var bytes))
        {
            grainState.State = serializer.Deserialize<T>(bytes);
            grainState.RecordExists = true;
            grainState.ETag = "1";
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        store.Items[Key(stateName, grainId)] = serializer.SerializeToArray(grainState.State);
        grainState.RecordExists = true;
        grainState.ETag = "1";
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        store.Items.TryRemove(Key(stateName, grainId), out _);
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static string Key(string stateName, GrainId grainId) => stateName + "/" + grainId;
}

/// <summary>In-process clusters with per-silo slot counts, the synthetic backend and fast failure detection.</summary>
internal static class TestClusters
{
    public static async Task<InProcessTestCluster> StartAsync(IReadOnlyList<int> slotsPerSilo, TimeSpan? lease = null, IReadOnlyList<string>? deviceClasses = null, TimeSpan? coordinatorTick = null, Action<PrunerClusterSiloOptions>? configure = null)
    {
        var store = new SharedGrainStore();
        var builder = new InProcessTestClusterBuilder((short)slotsPerSilo.Count);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((siloOptions, silo) =>
        {
            var index = int.Parse(siloOptions.SiloName.AsSpan(siloOptions.SiloName.LastIndexOf('_') + 1), provider: System.Globalization.CultureInfo.InvariantCulture);
            silo.AddPrunerClusterGrains(o =>
            {
                o.DeviceKind = "cpu";
                o.DeviceCount = 1;
                o.SlotsPerDevice = index < slotsPerSilo.Count ? slotsPerSilo[index] : 1;
                o.CoordinatorTick = coordinatorTick ?? TimeSpan.FromMilliseconds(100);
                o.EvaluationLease = lease ?? TimeSpan.FromSeconds(2);
                o.DeviceClass = deviceClasses is not null && index < deviceClasses.Count ? deviceClasses[index] : null;
                configure?.Invoke(o);
            });
            silo.AddSyntheticEvaluationBackend();
            silo.UseInMemoryReminderService();
            silo.AddActivityPropagation();
            silo.Services.AddGrainStorage(PrunerClusterStorage.Name, (sp, _) => new SharedGrainStorage(store, sp.GetRequiredService<Serializer>()));
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
        });
        builder.ConfigureClient(client => client.AddActivityPropagation());
        var cluster = builder.Build();
        await cluster.DeployAsync();
        await WaitForSlotsAsync(cluster, slotsPerSilo.Sum() * 2);
        return cluster;
    }

    /// <summary>Silo metadata reaches the other silos asynchronously; wait until the scheduler sees every lease (slot + one queued).</summary>
    private static async Task WaitForSlotsAsync(InProcessTestCluster cluster, int total)
    {
        var scheduler = cluster.Client.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);
        for (var i = 0; i < 200; i++)
        {
            var snapshot = await scheduler.GetSnapshot();
            if (snapshot.SlotsBySilo.Values.Sum() == total)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The scheduler never saw {total} slots.");
    }

    public static SlotExecutor Executor(this InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<SlotExecutor>();

    public static SyntheticEvaluationBackend Synthetic(this InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<SyntheticEvaluationBackend>();

    public static ExperimentSpec Spec(
        string name,
        int population = 8,
        int maxEvaluations = 24,
        int durationMs = 100,
        SearchMode mode = SearchMode.SteadyState,
        ulong seed = 7,
        double weight = 1,
        int maxConcurrency = 0,
        double failBelow = 0,
        double spread = 1,
        string? salt = null,
        IReadOnlyList<SyntheticFault>? faults = null) => new()
        {
            Name = name,
            Backend = SyntheticEvaluationBackend.BackendName,
            Model = "vgg",
            Dataset = "synthetic",
            Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
            Search = new SearchSettings { PopulationSize = population, Mode = mode, Seed = seed },
            Budget = new BudgetSettings { MaxEvaluations = maxEvaluations },
            Weight = weight,
            MaxConcurrency = maxConcurrency,
            Synthetic = new SyntheticSettings
            {
                Duration = TimeSpan.FromMilliseconds(durationMs),
                DurationSpread = spread,
                FailBelowKeptFraction = failBelow,
                SegmentBits = [8, 8, 16],
                Salt = salt ?? name,
                Faults = faults ?? [],
            },
        };

    public static async Task<string> SubmitAsync(this IClusterClient client, ExperimentSpec spec)
    {
        var result = await client.SubmitExperimentAsync(spec);
        Assert.True(result.Accepted, string.Join("; ", result.Errors));
        return result.ExperimentId!;
    }

    public static async Task<ExperimentStatus> WaitAsync(this IClusterClient client, string experimentId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await client.WaitForExperimentAsync(experimentId, TimeSpan.FromMilliseconds(100), cancellationToken: cts.Token);
        }
        catch (OperationCanceledException)
        {
            var status = await client.GetExperiment(experimentId).GetStatus();
            throw new TimeoutException($"Experiment {experimentId} did not finish within {timeout}: {status}");
        }
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met in time.");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>One cluster for most tests: a coordinator-only silo (0 slots) and two evaluation silos with 2 and 3 slots.</summary>
public sealed class SharedClusterFixture : IAsyncLifetime
{
    public static readonly int[] Slots = [0, 2, 3];

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync() => Cluster = await TestClusters.StartAsync(Slots);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<SharedClusterFixture>
{
    public const string Name = "shared cluster";
}
