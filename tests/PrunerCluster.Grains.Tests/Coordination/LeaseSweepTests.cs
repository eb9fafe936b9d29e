using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class LeaseSweepTests
{
    [Fact]
    public async Task Work_on_a_dead_silo_is_retried_and_work_not_heard_of_within_the_lease_is_polled()
    {
        var h = await CoordinationHarness.CreateAsync();
        var plan = h.Plan("dead", "quiet", "busy").Dispatch;
        h.Time.Advance(TimeSpan.FromSeconds(20));
        plan[2].LastContact = h.Time.GetUtcNow();
        var reissued = new List<long>();
        var sweep = new LeaseSweep(new LeasePolicy(TimeSpan.FromSeconds(10)), h.Books, (id, _) => reissued.Add(id));

        var polls = sweep.Sweep(h.Time.GetUtcNow(), silo => silo != "dead");
        Assert.Equal([plan[1].CandidateId], polls.Select(p => p.CandidateId));
        Assert.Equal([plan[0].CandidateId], reissued);
        Assert.Null(plan[0].Silo);
        Assert.Equal(["dead"], plan[0].FailedSilos);
        Assert.Equal("busy", plan[2].Silo);
    }

    [Fact]
    public async Task A_silo_death_at_the_retry_cap_books_the_candidate_as_failed()
    {
        var h = await CoordinationHarness.CreateAsync(maxAttempts: 1);
        var entry = h.Plan("dead").Dispatch.Single();
        var sweep = new LeaseSweep(new LeasePolicy(TimeSpan.FromSeconds(10)), h.Books, (_, _) => { });
        Assert.Empty(sweep.Sweep(h.Time.GetUtcNow(), _ => false));
        Assert.False(h.Ledger.Find(entry.CandidateId)!.Succeeded);
    }
}
