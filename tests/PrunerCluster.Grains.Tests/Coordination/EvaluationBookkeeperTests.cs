using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class EvaluationBookkeeperTests
{
    [Fact]
    public async Task A_completed_evaluation_is_told_to_the_engine_and_booked_once_and_frees_its_silo_for_refused_work()
    {
        var h = await CoordinationHarness.CreateAsync();
        var plan = h.Plan("a", "b");
        var (done, refused) = (plan.Dispatch[0], plan.Dispatch[1]);
        h.Books.Refused(refused, "a", moving: false);
        Assert.True(h.Refusals.Blocks(refused.CandidateId, "a", h.Time.GetUtcNow()));

        var outcome = h.Evaluate(done, "a");
        Assert.True(h.Books.Completed(done.Key, outcome));
        Assert.False(h.Books.Completed(done.Key, outcome));
        Assert.Equal(1, h.Ledger.Count);
        Assert.Equal(1, h.Books.Engine!.EvaluationCount);
        Assert.False(h.InFlight.Contains(done.CandidateId));
        Assert.False(h.Refusals.Blocks(refused.CandidateId, "a", h.Time.GetUtcNow()));
        Assert.True(h.Books.Dirty);
    }

    [Fact]
    public async Task Transient_failures_retry_on_other_silos_until_the_cap_then_book_a_failure()
    {
        var h = await CoordinationHarness.CreateAsync(maxAttempts: 2);
        var entry = h.Plan("a").Dispatch.Single();
        Assert.True(h.Books.Completed(entry.Key, EvaluationOutcome.TransientFailure("out of memory", "a")));
        Assert.True(h.InFlight.Contains(entry.CandidateId));
        Assert.Null(entry.Silo);
        Assert.Equal(["a"], entry.FailedSilos);

        entry.Silo = "b";
        h.Books.TransientFailure(entry, "b", "deadline");
        Assert.False(h.InFlight.Contains(entry.CandidateId));
        var record = h.Ledger.Find(entry.CandidateId)!;
        Assert.False(record.Succeeded);
        Assert.Contains("gave up after 2 of 2 attempts", record.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, h.State.Reissued);
        Assert.Contains(h.Events.Log, l => l == $"transient {entry.CandidateId} retry cap reached");
        Assert.Single(h.State.Errors);
    }

    [Fact]
    public async Task Entries_already_in_the_ledger_after_a_crash_are_dropped_and_replayed_into_the_engine()
    {
        var h = await CoordinationHarness.CreateAsync();
        var entry = h.Plan("a").Dispatch.Single();
        var outcome = h.Evaluate(entry, "a");
        h.Ledger.Append(ResultBooking.Book(null, null, entry, outcome, fromCache: false, h.Time.GetUtcNow(), out _));
        h.Books.ReconcileWithLedger();
        Assert.Equal(0, h.InFlight.Count);
        Assert.Equal(1, h.Books.Engine!.EvaluationCount);
    }

    [Fact]
    public async Task Errors_keep_only_the_most_recent()
    {
        var h = await CoordinationHarness.CreateAsync();
        for (var i = 0; i < 25; i++)
        {
            h.Books.AddError("e" + i);
        }

        Assert.Equal(20, h.State.Errors.Count);
        Assert.Equal("e24", h.State.Errors[^1]);
    }
}
