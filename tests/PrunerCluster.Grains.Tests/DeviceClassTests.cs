using PrunerCluster.Contracts;
using Xunit.Abstractions;

namespace PrunerCluster.Grains.Tests;

[Trait("Category", "Cluster")]
public sealed class DeviceClassTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_device_classes_in_one_cluster_never_meet_in_one_pareto_set()
    {
        await using var cluster = await TestClusters.StartAsync([0, 2, 2], deviceClasses: ["cpu-coordinator", "cpu-small", "nvidia-test"]);
        var client = cluster.Client;
        var classOf = cluster.Silos.ToDictionary(s => s.SiloAddress.ToParsableString(), s => s.Name switch { "Silo_1" => "cpu-small", "Silo_2" => "nvidia-test", _ => "cpu-coordinator" });
        var snapshot = await client.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler).GetSnapshot();
        Assert.Equal(2, snapshot.ClassBySilo.Count);
        Assert.All(snapshot.ClassBySilo, kv => Assert.Equal(classOf[kv.Key], kv.Value));

        var latency = new[] { new ObjectiveDefinition(MetricNames.Accuracy, ObjectiveDirection.Maximize), new ObjectiveDefinition(MetricNames.LatencyMs, ObjectiveDirection.Minimize) };
        var unpinned = TestClusters.Spec("latency-unpinned", population: 8, maxEvaluations: 24, durationMs: 50) with { Objectives = latency };
        var pinned = TestClusters.Spec("latency-pinned", population: 8, maxEvaluations: 24, durationMs: 50) with { Objectives = latency, DeviceClass = "nvidia-test" };
        var accuracyOnly = TestClusters.Spec("accuracy-only", population: 8, maxEvaluations: 24, durationMs: 50);
        var ids = new[] { await client.SubmitAsync(unpinned), await client.SubmitAsync(pinned) };
        foreach (var id in ids)
        {
            Assert.Equal(ExperimentState.Completed, (await client.WaitAsync(id, TimeSpan.FromSeconds(120))).State);
        }

        ids = [.. ids, await client.SubmitAsync(accuracyOnly)];
        Assert.Equal(ExperimentState.Completed, (await client.WaitAsync(ids[2], TimeSpan.FromSeconds(120))).State);

        string[] ClassesOf(IEnumerable<string> silos) => [.. silos.Select(s => classOf[s]).Distinct().Order(StringComparer.Ordinal)];
        foreach (var id in ids.Take(2))
        {
            var ledger = await client.GetExperiment(id).GetEvaluations();
            var pareto = await client.GetExperiment(id).GetParetoSet();
            output.WriteLine($"{id}: ledger on {string.Join(",", ClassesOf(ledger.Select(r => r.Silo)))}, pareto on {string.Join(",", ClassesOf(pareto.Entries.Select(e => e.Silo)))}");
            Assert.Single(ClassesOf(ledger.Select(r => r.Silo)));
            Assert.Single(ClassesOf(pareto.Entries.Select(e => e.Silo)));
        }

        Assert.Equal(["nvidia-test"], ClassesOf((await client.GetExperiment(ids[1]).GetEvaluations()).Select(r => r.Silo)));

        // Without measured objectives the class does not matter: work spreads over both classes.
        Assert.Equal(2, ClassesOf((await client.GetExperiment(ids[2]).GetEvaluations()).Select(r => r.Silo)).Length);
    }
}
