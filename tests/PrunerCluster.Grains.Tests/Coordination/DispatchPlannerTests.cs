using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class DispatchPlannerTests
{
    [Fact]
    public async Task Grants_go_to_waiting_work_first_and_the_rest_to_new_candidates_of_the_engine()
    {
        var h = await CoordinationHarness.CreateAsync(population: 4);
        var first = h.Plan("a", "a", "b");
        Assert.Equal(3, first.Dispatch.Count);
        Assert.Equal(["a", "a", "b"], first.Dispatch.Select(e => e.Silo));
        Assert.Equal(3, h.InFlight.Count);
        Assert.All(first.Dispatch, e => Assert.Equal(64, e.Key.Length));

        var waiting = first.Dispatch[0];
        h.Books.Reissue(waiting, "test");
        var second = h.Plan("b", "b");
        Assert.Equal(waiting.CandidateId, second.Dispatch[0].CandidateId);
        Assert.Equal("b", waiting.Silo);
        Assert.Equal(4, h.InFlight.Count);
    }

    [Fact]
    public async Task A_candidate_is_never_sent_back_to_a_full_silo_that_refused_it_until_that_silo_frees_a_slot()
    {
        var h = await CoordinationHarness.CreateAsync(population: 4);
        var entry = h.Plan("full").Dispatch.Single();
        h.Books.Refused(entry, "full", moving: false);

        // Only the refusing silo is granted (the scheduler's view lags): nothing goes there, neither the refused candidate
        // nor new work.
        Assert.Empty(h.Plan("full").Dispatch);
        Assert.Null(entry.Silo);
        Assert.Equal(1, h.InFlight.Count);

        // Another silo takes it at once.
        Assert.Equal(entry.CandidateId, h.Plan("other").Dispatch.Single().CandidateId);
        h.Books.Refused(entry, "other", moving: false);

        // The full silo finishes an evaluation: it may have the candidate again.
        h.Refusals.SiloFreed("full");
        Assert.Equal(entry.CandidateId, h.Plan("full").Dispatch.Single().CandidateId);
        h.Books.Refused(entry, "full", moving: false);

        // Without any news, the hold expiring lets it try again (the safety net for slots freed by other experiments).
        h.Time.Advance(h.Refusals.Hold);
        Assert.Equal(entry.CandidateId, h.Plan("full").Dispatch.Single().CandidateId);
    }

    [Fact]
    public async Task A_refusal_that_only_moves_the_activation_to_the_granted_silo_blocks_nothing()
    {
        var h = await CoordinationHarness.CreateAsync();
        var entry = h.Plan("granted").Dispatch.Single();
        h.Books.Refused(entry, "old-home", moving: true);
        Assert.Equal(entry.CandidateId, h.Plan("granted").Dispatch.Single().CandidateId);
        Assert.Equal(1, h.State.Refused);
        Assert.Equal(1, h.State.Reissued);
    }

    [Fact]
    public async Task The_request_wants_waiting_plus_new_work_up_to_the_cap_and_avoids_silos_that_refused_or_failed()
    {
        var h = await CoordinationHarness.CreateAsync();
        var spec = h.Spec with { MaxConcurrency = 3 };
        var dispatched = h.Plan("a", "b").Dispatch;
        h.Books.Refused(dispatched[0], "a", moving: false);
        h.Books.TransientFailure(dispatched[1], "b", "out of memory");

        var waiting = h.InFlight.Waiting();
        var request = h.Planner.Request("unit", spec, null, waiting, running: true, askNew: true);
        Assert.Equal(2 + (3 - 2), request.Want);
        Assert.Equal(["a", "b"], request.Avoid);
        Assert.Equal(3, request.Cap);

        Assert.Equal(2, h.Planner.Request("unit", spec, null, waiting, running: true, askNew: false).Want);
        Assert.Equal(0, h.Planner.Request("unit", spec, null, waiting, running: false, askNew: true).Want);
    }

    [Fact]
    public async Task At_a_generational_barrier_the_plan_says_it_ran_short_of_candidates()
    {
        var h = await CoordinationHarness.CreateAsync(population: 4, mode: SearchMode.Generational);
        var plan = h.Plan("a", "a", "a", "a", "a", "a");
        Assert.Equal(4, plan.Dispatch.Count);
        Assert.True(plan.ShortOfCandidates);
    }
}
