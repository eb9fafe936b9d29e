using Orleans.TestingHost;
using PrunerCluster.Contracts;
using Xunit.Abstractions;

namespace PrunerCluster.Grains.Tests;

/// <summary>Deadlines, retries over silos, transient failures never stored, and cancel stopping work in flight (synthetic faults).</summary>
[Collection(SharedClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class EvaluationLifecycleTests(SharedClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private InProcessTestCluster Cluster => fixture.Cluster;

    private IClusterClient Client => fixture.Client;

    [Fact]
    public async Task Evaluations_that_hang_past_their_deadline_are_reissued_elsewhere_and_the_experiment_completes()
    {
        // A third of the masks hang on their first run on every silo; each attempt may run for 1 s.
        var spec = TestClusters.Spec("hang", population: 6, maxEvaluations: 12, durationMs: 50, faults: [new SyntheticFault { Kind = SyntheticFaultKind.Hang, MaskFraction = 0.34, AttemptsPerSilo = 1 }])
            with { EvaluationDeadline = TimeSpan.FromSeconds(1), MaxAttempts = 4 };
        var id = await Client.SubmitAsync(spec);
        var status = await Client.WaitAsync(id, Timeout);
        output.WriteLine(status.ToString());

        Assert.Equal(ExperimentState.Completed, status.State);
        Assert.Equal(12, status.Evaluated);
        Assert.Equal(0, status.Failed);
        Assert.True(status.Reissued > 0, "no evaluation hung, so nothing was re-issued");
        AssertRefusalsBounded(status, budget: 12);
        await AssertSlotsIdleAsync();
    }

    [Fact]
    public async Task A_mask_that_always_crashes_is_recorded_as_failed_after_the_retry_cap_having_tried_several_silos()
    {
        var spec = TestClusters.Spec("crash", population: 6, maxEvaluations: 12, durationMs: 20, faults: [new SyntheticFault { Kind = SyntheticFaultKind.Crash, MaskFraction = 0.3 }])
            with { MaxAttempts = 3 };
        var id = await Client.SubmitAsync(spec);
        var status = await Client.WaitAsync(id, Timeout);
        output.WriteLine(status.ToString());
        Assert.Equal(ExperimentState.Completed, status.State);
        AssertRefusalsBounded(status, budget: 12);

        var ledger = await Client.GetExperiment(id).GetEvaluations();
        var failed = ledger.Where(r => !r.Succeeded).ToList();
        Assert.NotEmpty(failed);
        Assert.Contains(ledger, r => r.Succeeded);
        var spread = 0;
        foreach (var record in failed)
        {
            Assert.Contains("gave up after 3 of 3 attempts", record.FailureReason, StringComparison.Ordinal);
            Assert.Contains("synthetic crash", record.FailureReason, StringComparison.Ordinal);

            // The cap of reported attempts, plus at most one run whose late report lost a race with a re-issue (at-least-once
            // execution, seen once in CI); nothing stored for later experiments.
            var runs = Cluster.Silos.Select(s => s.Synthetic().RunsByKey.GetValueOrDefault(record.IndividualKey)).ToArray();
            output.WriteLine($"{record.IndividualKey[..12]}: runs per silo {string.Join(",", runs)}");
            Assert.InRange(runs.Sum(), 3, 4);
            spread += runs.Count(r => r > 0) >= 2 ? 1 : 0;
            var snapshot = await Client.GetGrain<IIndividualGrain>(record.IndividualKey).GetSnapshot();
            Assert.Null(snapshot.Outcome);
        }

        // Retries prefer silos that have not failed the mask; they fall back to a failed one only when it alone has room.
        Assert.True(spread > 0, "no crashing mask was retried on a second silo");
    }

    [Fact]
    public async Task Out_of_memory_is_retried_and_once_it_succeeds_nobody_is_served_the_failure()
    {
        var faults = new[] { new SyntheticFault { Kind = SyntheticFaultKind.OutOfMemory, MaskFraction = 0.5, AttemptsPerSilo = 1 } };
        var spec = TestClusters.Spec("oom", population: 6, maxEvaluations: 12, durationMs: 20, mode: SearchMode.Generational, salt: "oom-salt", faults: faults) with { MaxAttempts = 3 };
        var id = await Client.SubmitAsync(spec);
        var status = await Client.WaitAsync(id, Timeout);
        output.WriteLine(status.ToString());
        Assert.Equal(ExperimentState.Completed, status.State);
        Assert.Equal(0, status.Failed);
        Assert.True(status.Reissued > 0, "no evaluation ran out of memory");
        AssertRefusalsBounded(status, budget: 12);

        var ledger = await Client.GetExperiment(id).GetEvaluations();
        foreach (var record in ledger)
        {
            var snapshot = await Client.GetGrain<IIndividualGrain>(record.IndividualKey).GetSnapshot();
            Assert.NotNull(snapshot.Outcome);
            Assert.True(snapshot.Outcome.Succeeded, snapshot.Outcome.FailureReason);
        }

        // A second experiment over the same keys (generational: the same candidates whatever the completion order) is served
        // the stored successes only.
        var twin = await Client.SubmitAsync(spec with { Name = "oom-twin", Synthetic = spec.Synthetic! with { Faults = [] } });
        var twinStatus = await Client.WaitAsync(twin, Timeout);
        Assert.Equal(ExperimentState.Completed, twinStatus.State);
        Assert.Equal(0, twinStatus.Failed);
        Assert.Equal(12, twinStatus.CacheHits);
        Assert.All(await Client.GetExperiment(twin).GetEvaluations(), r => Assert.True(r.Succeeded));
    }

    [Fact]
    public async Task Cancel_stops_evaluations_in_flight_within_seconds_and_slot_counts_return_to_zero()
    {
        var id = await Client.SubmitAsync(TestClusters.Spec("cancel-in-flight", population: 10, maxEvaluations: 50, durationMs: 60_000));
        var experiment = Client.GetExperiment(id);
        await TestClusters.WaitUntilAsync(async () => Cluster.Silos.Sum(s => s.Executor().Running) >= 3, Timeout);
        var running = Cluster.Silos.Sum(s => s.Executor().Running);
        var cancelled = await experiment.Cancel();
        Assert.Equal(ExperimentState.Cancelled, cancelled.State);
        Assert.Equal(0, cancelled.InFlight);

        // 60 s evaluations: only cancellation frees their slots this fast.
        await TestClusters.WaitUntilAsync(() => Task.FromResult(Cluster.Silos.Sum(s => s.Executor().Running + s.Executor().Queued) == 0), TimeSpan.FromSeconds(10));
        output.WriteLine($"{running} running at cancel; all slots idle again");
        await AssertSlotsIdleAsync();
        var evaluations = await experiment.GetEvaluations();
        Assert.Empty(evaluations);
    }

    /// <summary>
    /// A retried evaluation's old activation may refuse once while it moves to the granted silo, and a full silo refuses at
    /// most once per candidate until it frees a slot; before the fix these searches of 12 evaluations logged hundreds to
    /// thousands of refusals (an activation re-created on the silo that refused it, re-dispatched at once).
    /// </summary>
    private void AssertRefusalsBounded(ExperimentStatus status, int budget)
    {
        output.WriteLine($"refusal re-issues: {status.Refused} (all re-issues {status.Reissued}) for a budget of {budget}");
        Assert.InRange(status.Refused, 0, 2 * budget);
    }

    private async Task AssertSlotsIdleAsync()
    {
        await TestClusters.WaitUntilAsync(async () =>
        {
            var snapshot = await Client.GetGrain<ISlotSchedulerGrain>(PrunerClusterGrainKeys.Scheduler).GetSnapshot();
            return snapshot.UsedBySilo.Values.Sum() == 0;
        }, TimeSpan.FromSeconds(30));
        await TestClusters.WaitUntilAsync(() => Task.FromResult(Cluster.Silos.Sum(s => s.Executor().Running + s.Executor().Queued) == 0), TimeSpan.FromSeconds(30));
    }
}
