using System.Reflection;
using Orleans.Runtime;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class DispatchResultHandlerTests
{
    [Fact]
    public async Task Refused_work_is_reissued_without_an_attempt_failed_dispatch_is_transient_and_a_stored_outcome_is_a_cache_hit()
    {
        var h = await CoordinationHarness.CreateAsync();
        var plan = h.Plan("a", "b", "c", "d");
        var (refused, failed, cached, started) = (plan.Dispatch[0], plan.Dispatch[1], plan.Dispatch[2], plan.Dispatch[3]);
        h.Time.Advance(TimeSpan.FromSeconds(3));

        h.Results.Apply(
        [
            new DispatchResult(refused, null, new SlotUnavailableException("full") { RefusingSilo = "a" }),
            new DispatchResult(failed, null, new InvalidOperationException("activation failed")),
            new DispatchResult(cached, h.Evaluate(cached, "c"), null),
            new DispatchResult(started, null, null),
        ]);

        Assert.Null(refused.Silo);
        Assert.Equal(0, refused.TransientFailures);
        Assert.True(h.Refusals.Blocks(refused.CandidateId, "a", h.Time.GetUtcNow()));

        Assert.Null(failed.Silo);
        Assert.Equal(1, failed.TransientFailures);
        Assert.Equal(["b"], failed.FailedSilos);

        Assert.False(h.InFlight.Contains(cached.CandidateId));
        Assert.True(h.Ledger.Find(cached.CandidateId)!.FromCache);
        Assert.Equal(1, h.State.CacheHits);

        Assert.Equal("d", started.Silo);
        Assert.Equal(h.Time.GetUtcNow(), started.LastContact);
        Assert.Equal((2, 1), (h.State.Reissued, h.State.Refused));
    }

    [Fact]
    public async Task A_dispatch_that_never_reached_its_silo_is_reissued_without_an_attempt_and_the_silo_is_avoided()
    {
        var h = await CoordinationHarness.CreateAsync();
        var plan = h.Plan("a", "b");
        var (rejected, unavailable) = (plan.Dispatch[0], plan.Dispatch[1]);

        for (var round = 0; round < 5; round++)
        {
            h.Results.Apply(
            [
                new DispatchResult(rejected, null, Rejection("Unable to connect to endpoint a")),
                new DispatchResult(unavailable, null, new SiloUnavailableException("b is dead")),
            ]);
            (rejected.Silo, unavailable.Silo) = ("a", "b");
        }

        Assert.Equal((0, 0), (rejected.TransientFailures, unavailable.TransientFailures));
        Assert.True(h.InFlight.Contains(rejected.CandidateId));
        Assert.True(h.InFlight.Contains(unavailable.CandidateId));
        Assert.Equal(0, h.Ledger.Count);
        Assert.True(h.Refusals.Blocks(rejected.CandidateId, "a", h.Time.GetUtcNow()));
        Assert.True(h.Refusals.IsFull("b", h.Time.GetUtcNow()));
        Assert.Equal(10, h.State.Reissued);
    }

    [Fact]
    public async Task A_dispatch_without_an_answer_is_reissued_uncounted_twice_then_counts_as_an_attempt()
    {
        var h = await CoordinationHarness.CreateAsync();
        var entry = h.Plan("a").Dispatch.Single();

        for (var round = 1; round <= DispatchResultHandler.UncountedDispatchTimeouts; round++)
        {
            h.Results.Apply([new DispatchResult(entry, null, new TimeoutException("no answer"))]);
            Assert.Null(entry.Silo);
            Assert.Equal((round, 0), (entry.DispatchTimeouts, entry.TransientFailures));
            Assert.True(h.Refusals.Blocks(entry.CandidateId, "a", h.Time.GetUtcNow()));
            entry.Silo = "a";
        }

        h.Results.Apply([new DispatchResult(entry, null, new TimeoutException("no answer"))]);

        Assert.Equal(1, entry.TransientFailures);
        Assert.Equal(["a"], entry.FailedSilos);
        Assert.True(h.InFlight.Contains(entry.CandidateId));
        Assert.Equal(3, h.State.Reissued);
    }

    // Orleans raises this one itself (its constructors are internal), as it did for a silo killed but not yet voted out.
    private static OrleansMessageRejectionException Rejection(string message) =>
        (OrleansMessageRejectionException)Activator.CreateInstance(typeof(OrleansMessageRejectionException), BindingFlags.Instance | BindingFlags.NonPublic, null, [message], null)!;

    [Fact]
    public async Task Answers_for_entries_no_longer_in_flight_are_ignored()
    {
        var h = await CoordinationHarness.CreateAsync();
        var entry = h.Plan("a").Dispatch.Single();
        h.Books.Completed(entry.Key, h.Evaluate(entry, "a"));
        h.Results.Apply([new DispatchResult(entry, null, new SlotUnavailableException("late"))]);
        Assert.Equal(0, h.State.Reissued);
        Assert.Equal(1, h.Ledger.Count);
    }
}
