using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class DispatchPassTests
{
    [Fact]
    public async Task A_silo_the_scheduler_keeps_granting_but_that_refuses_gets_nothing_more_until_it_frees_a_slot()
    {
        // The storm: the scheduler's view says "full" has slots, the silo refuses everything, and each refusal triggers a pass.
        var h = await CoordinationHarness.CreateAsync(population: 4, maxEvaluations: 8);
        var host = new FakeHost(_ => ["full", "full"], (entry, silo) => silo == "full" ? new SlotUnavailableException("full") { RefusingSilo = "full" } : null);
        var pass = new DispatchPass(h.State, h.Books, h.Planner, h.Results, host, h.Time);
        for (var i = 0; i < 100 && await pass.RunOnceAsync("unit"); i++)
        {
        }

        Assert.Equal(2, host.Sent.Count);
        Assert.Equal(2, h.State.Refused);
        Assert.Equal(2, h.InFlight.Count);

        // More passes (timer ticks, nudges) within the hold send nothing there.
        for (var i = 0; i < 20; i++)
        {
            await pass.RunOnceAsync("unit");
        }

        Assert.Equal(2, host.Sent.Count);
        Assert.All(host.Requests.Skip(1), r => Assert.Contains("full", r.Avoid));

        // A free silo appears: the refused work goes there, not new work.
        host.Grants = _ => ["free", "free"];
        await pass.RunOnceAsync("unit");
        Assert.Equal(h.InFlight.Entries.Select(e => e.CandidateId), host.Sent.Skip(2).Select(s => s.CandidateId));
        Assert.All(host.Sent.Skip(2), s => Assert.Equal("free", s.Silo));
    }

    [Fact]
    public async Task Nothing_goes_out_while_storage_is_down_and_the_planned_work_waits_for_a_slot_again()
    {
        var h = await CoordinationHarness.CreateAsync();
        var host = new FakeHost(_ => ["a", "b"], (_, _) => null) { PersistWorks = false };
        var pass = new DispatchPass(h.State, h.Books, h.Planner, h.Results, host, h.Time);
        Assert.False(await pass.RunOnceAsync("unit"));
        Assert.Empty(host.Sent);
        Assert.Equal(2, h.InFlight.Count);
        Assert.All(h.InFlight.Entries, e => Assert.Null(e.Silo));

        host.PersistWorks = true;
        await pass.RunOnceAsync("unit");
        Assert.Equal(2, host.Sent.Count);
        Assert.True(host.Persists >= 2);
    }

    [Fact]
    public async Task The_pass_completes_the_experiment_once_the_engine_is_done_and_nothing_is_in_flight()
    {
        var h = await CoordinationHarness.CreateAsync(population: 2, maxEvaluations: 2);
        var host = new FakeHost(_ => ["a", "a"], (_, _) => null);
        var pass = new DispatchPass(h.State, h.Books, h.Planner, h.Results, host, h.Time);
        await pass.RunOnceAsync("unit");
        foreach (var (entry, silo) in host.Sent.Select(s => (h.InFlight.Entries.First(e => e.CandidateId == s.CandidateId), s.Silo)).ToList())
        {
            h.Books.Completed(entry.Key, h.Evaluate(entry, silo));
        }

        Assert.False(host.Completed);
        await pass.RunOnceAsync("unit");
        Assert.True(host.Completed);
        Assert.Equal(2, h.Ledger.Count);
    }

    [Fact]
    public async Task At_a_generational_barrier_the_pass_stops_asking_until_a_result_arrives()
    {
        var h = await CoordinationHarness.CreateAsync(population: 4, maxEvaluations: 8, mode: SearchMode.Generational);
        var host = new FakeHost(_ => ["a", "a", "a", "a", "a", "a"], (_, _) => null);
        var pass = new DispatchPass(h.State, h.Books, h.Planner, h.Results, host, h.Time);
        var passes = 1;
        while (await pass.RunOnceAsync("unit") && passes < 50)
        {
            passes++;
        }

        Assert.InRange(passes, 1, 3);
        Assert.True(h.Books.Barrier);
        Assert.Equal(4, host.Sent.Count);
        Assert.Equal(0, host.Requests[^1].Want);

        var entry = h.InFlight.Entries.First();
        h.Books.Completed(entry.Key, h.Evaluate(entry, "a"));
        Assert.False(h.Books.Barrier);
    }

    [Fact]
    public async Task A_paused_experiment_asks_for_no_slots_and_starts_nothing()
    {
        var h = await CoordinationHarness.CreateAsync();
        h.State.State = ExperimentState.Paused;
        var host = new FakeHost(_ => ["a"], (_, _) => null);
        var pass = new DispatchPass(h.State, h.Books, h.Planner, h.Results, host, h.Time);
        await pass.RunOnceAsync("unit");
        Assert.Equal(0, host.Requests.Single().Want);
        Assert.Empty(host.Sent);
    }

    private sealed class FakeHost(Func<SlotRequest, IReadOnlyList<string>> grants, Func<InFlightEvaluation, string, Exception?> answer) : IDispatchHost
    {
        public Func<SlotRequest, IReadOnlyList<string>> Grants { get; set; } = grants;

        public bool PersistWorks { get; set; } = true;

        public int Persists { get; private set; }

        public bool Completed { get; private set; }

        public bool StorageHealthy { get; private set; } = true;

        public List<SlotRequest> Requests { get; } = [];

        public List<(long CandidateId, string Silo)> Sent { get; } = [];

        public Task<bool> PersistAsync()
        {
            Persists++;
            StorageHealthy = PersistWorks;
            return Task.FromResult(PersistWorks);
        }

        public Task<SlotGrant> AcquireAsync(SlotRequest request)
        {
            Requests.Add(request);
            return Task.FromResult(new SlotGrant { Silos = [.. Grants(request).Take(request.Want)] });
        }

        public Task<DispatchResult[]> DispatchAsync(IReadOnlyList<InFlightEvaluation> entries)
        {
            var results = new List<DispatchResult>();
            foreach (var entry in entries)
            {
                Sent.Add((entry.CandidateId, entry.Silo!));
                results.Add(new DispatchResult(entry, null, answer(entry, entry.Silo!)));
            }

            return Task.FromResult(results.ToArray());
        }

        public Task CompleteAsync()
        {
            Completed = true;
            return Task.CompletedTask;
        }

        public void SchedulerFailed(Exception error) => throw error;

        public void Publish(double fairShare)
        {
        }
    }
}
