using Orleans.Core.Internal;
using Orleans.TestingHost;
using PrunerCluster.Contracts;
using Xunit.Abstractions;

namespace PrunerCluster.Grains.Tests;

/// <summary>The slot scheduler re-activated mid-search: its books come back from the silos, not from zero.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class SlotSchedulerRecoveryTests(SharedClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private InProcessTestCluster Cluster => fixture.Cluster;

    private IClusterClient Client => fixture.Client;

    [Fact]
    public async Task A_reactivated_scheduler_counts_exactly_what_the_silos_hold_at_once_and_after_the_coordinators_report()
    {
        // Evaluations of a minute: every lease (slot + one queued) fills and stays filled while the scheduler restarts.
        var leases = SharedClusterFixture.Slots.Sum() * 2;
        var id = await Client.SubmitAsync(TestClusters.Spec("scheduler-restart", population: 16, maxEvaluations: 64, durationMs: 60_000));
        var scheduler = Client.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);
        await TestClusters.WaitUntilAsync(() => Task.FromResult(Truth().Values.Sum() == leases), Timeout);
        var before = await scheduler.GetSnapshot();
        Assert.Equal(Truth(), NonZero(before.UsedBySilo));

        await scheduler.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(200);

        // The first call activates it again: what it reports comes from the silos' executors.
        var first = await scheduler.GetSnapshot();
        output.WriteLine($"truth {Show(Truth())}; first snapshot after re-activation {Show(first.UsedBySilo)}");
        Assert.Equal(Truth(), NonZero(first.UsedBySilo));

        // Once the silos' counts stop standing in, the coordinators' holdings carry the same truth.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var later = await scheduler.GetSnapshot();
        output.WriteLine($"truth {Show(Truth())}; one second later {Show(later.UsedBySilo)}");
        Assert.Equal(Truth(), NonZero(later.UsedBySilo));
        Assert.Equal(leases, later.HeldByExperiment[id]);

        var status = await Client.GetExperiment(id).Cancel();
        Assert.Equal(ExperimentState.Cancelled, status.State);
        await TestClusters.WaitUntilAsync(async () => (await scheduler.GetSnapshot()).UsedBySilo.Values.Sum() == 0 && Truth().Count == 0, TimeSpan.FromSeconds(30));
    }

    /// <summary>Per silo, the evaluations its executor has accepted and not yet delivered.</summary>
    private Dictionary<string, int> Truth() => Cluster.Silos
        .Select(s => (Silo: s.SiloAddress.ToParsableString(), Busy: s.Executor().Outstanding))
        .Where(s => s.Busy > 0)
        .ToDictionary(s => s.Silo, s => s.Busy, StringComparer.Ordinal);

    private static Dictionary<string, int> NonZero(IReadOnlyDictionary<string, int> used) =>
        used.Where(u => u.Value > 0).ToDictionary(u => u.Key, u => u.Value, StringComparer.Ordinal);

    private static string Show(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"));
}
