using Orleans.Core.Internal;
using Orleans.TestingHost;
using PrunerCluster.Contracts;
using Xunit.Abstractions;

namespace PrunerCluster.Grains.Tests;

/// <summary>The slot scheduler re-activated mid-search: its books come back from the silos, not from zero.</summary>
[Trait("Category", "Cluster")]
public sealed class SlotSchedulerRecoveryTests(ITestOutputHelper output)
{
    private static readonly int[] Slots = [0, 2, 3];
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_reactivated_scheduler_counts_exactly_what_the_silos_hold_before_and_after_the_coordinators_report_again()
    {
        // Coordinators report their holdings only every 3 s here, so right after re-activation only the silos can tell the
        // scheduler what is busy. Evaluations of a minute: every lease (slot + one queued) fills and stays filled meanwhile.
        await using var cluster = await TestClusters.StartAsync(Slots, lease: TimeSpan.FromSeconds(30), coordinatorTick: Tick);
        var client = cluster.Client;
        var leases = Slots.Sum() * 2;
        var id = await client.SubmitAsync(TestClusters.Spec("scheduler-restart", population: 16, maxEvaluations: 64, durationMs: 60_000));
        var scheduler = client.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler);
        await TestClusters.WaitUntilAsync(() => Task.FromResult(Truth(cluster).Values.Sum() == leases), Timeout);
        Assert.Equal(Truth(cluster), NonZero((await scheduler.GetSnapshot()).UsedBySilo));

        await scheduler.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var first = await scheduler.GetSnapshot();
        output.WriteLine($"truth {Show(Truth(cluster))}; first snapshot after re-activation {Show(first.UsedBySilo)}, held {Show(first.HeldByExperiment)}");
        Assert.Equal(Truth(cluster), NonZero(first.UsedBySilo));

        // Once the silos' counts stop standing in (three coordinator ticks), the coordinator's holdings carry the same truth.
        await Task.Delay(Tick * 4);
        var later = await scheduler.GetSnapshot();
        output.WriteLine($"truth {Show(Truth(cluster))}; {Tick * 4} later {Show(later.UsedBySilo)}");
        Assert.Equal(Truth(cluster), NonZero(later.UsedBySilo));
        Assert.Equal(leases, later.HeldByExperiment[id]);

        Assert.Equal(ExperimentState.Cancelled, (await client.GetExperiment(id).Cancel()).State);
        await TestClusters.WaitUntilAsync(async () => (await scheduler.GetSnapshot()).UsedBySilo.Values.Sum() == 0 && Truth(cluster).Count == 0, TimeSpan.FromSeconds(30));
    }

    /// <summary>Per silo, the evaluations its executor has accepted and not yet delivered.</summary>
    private static Dictionary<string, int> Truth(InProcessTestCluster cluster) => cluster.Silos
        .Select(s => (Silo: s.SiloAddress.ToParsableString(), Busy: s.Executor().Outstanding))
        .Where(s => s.Busy > 0)
        .ToDictionary(s => s.Silo, s => s.Busy, StringComparer.Ordinal);

    private static Dictionary<string, int> NonZero(IReadOnlyDictionary<string, int> used) =>
        used.Where(u => u.Value > 0).ToDictionary(u => u.Key, u => u.Value, StringComparer.Ordinal);

    private static string Show(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"));
}
