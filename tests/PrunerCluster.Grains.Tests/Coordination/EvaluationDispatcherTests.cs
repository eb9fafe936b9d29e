using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
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

    [Fact]
    public async Task A_promoted_request_names_the_same_mask_one_rung_below_to_warm_start_from()
    {
        var h = await CoordinationHarness.CreateAsync();
        var ladder = h.Spec with
        {
            Search = h.Spec.Search with { Fidelities = [new FidelityRung { FineTuneSteps = 0 }, new FidelityRung { FineTuneSteps = 100 }, new FidelityRung { FineTuneSteps = 300 }] },
        };
        h.State.Spec = ladder;
        var entry = h.Plan("a").Dispatch[0];
        var prepared = h.State.Prepared!;
        string Key(int rung) => IndividualKey.Compute(prepared.CheckpointHash, prepared.SettingsHash, entry.MaskHash, null, ladder.RungAt(rung)).Value;

        Assert.Null(EvaluationDispatcher.WarmStartKey(entry, h.State, null));
        entry.Rung = 2;
        Assert.Equal(Key(1), EvaluationDispatcher.WarmStartKey(entry, h.State, null));
        Assert.NotEqual(Key(1), Key(2));

        var requests = new List<EvaluationRequest>();
        var dispatcher = new EvaluationDispatcher((_, request) => { requests.Add(request); return Task.FromResult<EvaluationOutcome?>(null); }, h.Events, TimeProvider.System);
        await dispatcher.DispatchAsync([entry], "unit", h.State, keyDeviceClass: null, TimeSpan.FromMinutes(30));
        var sent = Assert.Single(requests);
        Assert.Equal(2, sent.Rung);
        Assert.Equal(Key(1), sent.WarmStartKey);
        Assert.Equal(100, sent.WarmStartSteps);
        Assert.Equal(300, sent.Fidelity!.FineTuneSteps);
        Assert.Equal(Key(2), sent.Key.Value);

        h.State.Spec = h.Spec;
        Assert.Null(EvaluationDispatcher.WarmStartKey(entry, h.State, null));
    }
}
