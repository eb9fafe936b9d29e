using Orleans.TestingHost;
using PrunerCluster.Contracts;
using Xunit.Abstractions;

namespace PrunerCluster.Grains.Tests;

[Trait("Category", "Cluster")]
public sealed class SiloFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_a_silo_mid_search_accounts_for_every_evaluation_and_keeps_the_pareto_set_of_an_uninterrupted_run()
    {
        await using var cluster = await TestClusters.StartAsync([0, 2, 2]);
        var client = cluster.Client;
        const int budget = 48;

        // Same seed and metrics; only the salt differs, so the second run shares no cached evaluation with the first.
        var reference = TestClusters.Spec("uninterrupted", population: 8, maxEvaluations: budget, durationMs: 250, mode: SearchMode.Generational, seed: 11, salt: "run-a");
        var referenceId = await client.SubmitAsync(reference);
        var referenceStatus = await client.WaitAsync(referenceId, TimeSpan.FromSeconds(60));
        Assert.Equal(ExperimentState.Completed, referenceStatus.State);
        var referencePareto = await client.GetExperiment(referenceId).GetParetoSet();

        var killedId = await client.SubmitAsync(reference with { Name = "interrupted", Synthetic = reference.Synthetic! with { Salt = "run-b" } });
        var experiment = client.GetExperiment(killedId);
        // Kill the coordinator's own silo when it is a slot silo (the primary hosts the client's gateway), else Silo_2, at a
        // moment when that silo is running an evaluation, so the kill always interrupts work.
        InProcessSiloHandle Victim(ExperimentStatus status) =>
            cluster.Silos.FirstOrDefault(s => s.Name != "Silo_0" && s.SiloAddress.ToParsableString() == status.CoordinatorSilo)
            ?? cluster.Silos.Single(s => s.Name == "Silo_2");
        await TestClusters.WaitUntilAsync(
            async () => await experiment.GetStatus() is { Evaluated: >= 14 } now && Victim(now).Executor().Running > 0,
            TimeSpan.FromSeconds(60));
        var before = await experiment.GetStatus();
        var victim = Victim(before);
        Assert.True(before.InFlight > 0, "nothing was in flight when the silo was killed");
        output.WriteLine($"killing {victim.Name} at {before.Evaluated} evaluated, {before.InFlight} in flight; coordinator on {before.CoordinatorSilo}");
        await cluster.KillSiloAsync(victim);

        var status = await client.WaitAsync(killedId, TimeSpan.FromSeconds(120));
        Assert.Equal(ExperimentState.Completed, status.State);
        Assert.Equal(budget, status.Evaluated);
        Assert.Equal(0, status.InFlight);
        Assert.Equal(0, status.Failed);

        var ledger = await experiment.GetEvaluations();
        Assert.Equal(budget, ledger.Count);
        Assert.Equal(budget, ledger.Select(r => r.CandidateId).Distinct().Count());
        Assert.Equal(budget, ledger.Select(r => r.MaskHash).Distinct().Count());

        var pareto = await experiment.GetParetoSet();
        output.WriteLine($"re-issued {status.Reissued}, pareto {pareto.Entries.Count} entries, coordinator now on {status.CoordinatorSilo}");
        Assert.True(status.Reissued > 0 || before.CoordinatorSilo == victim.SiloAddress.ToParsableString(), "the kill interrupted nothing");
        Assert.True(pareto.Entries.Count >= 2);
        Assert.Equal(Canonical(referencePareto), Canonical(pareto));
    }

    private static string[] Canonical(ParetoSet set) =>
        set.Entries
            .Select(e => FormattableString.Invariant($"{e.MaskHash}|{e.Metrics[MetricNames.Accuracy]:R}|{e.Metrics[MetricNames.Macs]:R}"))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
