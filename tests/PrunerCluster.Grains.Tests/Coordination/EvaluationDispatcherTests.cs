using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

public sealed class EvaluationDispatcherTests
{
    [Fact]
    public async Task Each_start_counts_an_attempt_carries_the_spec_deadline_and_turns_every_answer_into_a_result()
    {
        var h = await CoordinationHarness.CreateAsync();
        h.State.Spec = h.Spec with { EvaluationDeadline = TimeSpan.FromSeconds(42) };
        var plan = h.Plan("a", "b", "c").Dispatch;
        var requests = new List<EvaluationRequest>();
        var cached = h.Evaluate(plan[1], "b");
        var dispatcher = new EvaluationDispatcher(
            (entry, request) =>
            {
                requests.Add(request);
                return entry.Silo switch
                {
                    "a" => Task.FromResult<EvaluationOutcome?>(null),
                    "b" => Task.FromResult<EvaluationOutcome?>(cached),
                    _ => Task.FromException<EvaluationOutcome?>(new SlotUnavailableException("full")),
                };
            },
            h.Events,
            TimeProvider.System);

        var results = await dispatcher.DispatchAsync(plan, "unit", h.State, keyDeviceClass: null, TimeSpan.FromMinutes(30));
        Assert.Equal(plan.Select(e => e.CandidateId), results.Select(r => r.Entry.CandidateId));
        Assert.Null(results[0].Outcome);
        Assert.Same(cached, results[1].Outcome);
        Assert.IsType<SlotUnavailableException>(results[2].Error);
        Assert.All(plan, e => Assert.Equal(1, e.Attempts));
        Assert.All(requests, r => Assert.Equal(TimeSpan.FromSeconds(42), r.Deadline));
        Assert.All(requests.Zip(plan), p => Assert.Equal(p.Second.Key, p.First.Key.Value));
        Assert.Equal(3, h.Events.Log.Count(l => l.StartsWith("dispatch ", StringComparison.Ordinal)));
    }
}
