using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Coordination;
using PrunerCluster.Grains.Lifecycle;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class FinalRecoveryStageTests
{
    private static readonly PreparedExperiment Prepared = new()
    {
        Segments = [new GenomeSegment("a", 4), new GenomeSegment("b", 4)],
        CheckpointHash = "c0ffee",
        SettingsHash = "5e771n65",
    };

    private static ParetoEntry Entry(long id, string hash, double accuracy, double macs) => new()
    {
        CandidateId = id,
        MaskText = "mask-" + hash,
        MaskHash = hash + new string('0', 20),
        IndividualKey = "k" + hash,
        Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = accuracy, [MetricNames.Macs] = macs, [MetricNames.AccuracyDrop] = (0.9 - accuracy) * 100 },
    };

    private static ExperimentSpec Spec(int maxMembers) => new() { FinalRecovery = new FinalRecoverySettings { FineTuneSteps = 400, MaxMembers = maxMembers } };

    private static ParetoSet Front() => new()
    {
        ExperimentId = "x",
        Objectives = new ExperimentSpec().Objectives,
        Entries = [Entry(7, "ccc", 0.70, 100), Entry(3, "aaa", 0.90, 1000), Entry(5, "bbb", 0.85, 400)],
    };

    [Fact]
    public void Plan_puts_the_unpruned_model_first_then_the_chosen_members_labelled_by_their_number_in_the_pareto_table()
    {
        var jobs = FinalRecoveryStage.Plan(Spec(2), Prepared, Front(), null);

        Assert.Equal(["unpruned", "#1", "#3"], jobs.Select(j => j.Label));
        Assert.Equal([-1L, -2L, -3L], jobs.Select(j => j.CandidateId));
        Assert.Equal(Genome.Full(EvolutionMapping.Layout(Prepared)).ContentHash, jobs[0].MaskHash);
        Assert.Null(jobs[0].ExportName);
        Assert.Equal("member-01-ccc000000000", jobs[1].ExportName);
        Assert.Equal(0.70, jobs[1].SearchMetrics[MetricNames.Accuracy]);
        Assert.Equal(jobs.Count, jobs.Select(j => j.Key).Distinct().Count());
        Assert.Equal(IndividualKey.ForFinalRecovery("c0ffee", "5e771n65", jobs[2].MaskHash, null, Spec(2).FinalRecovery!).Value, jobs[2].Key);
    }

    [Fact]
    public void A_final_recovery_key_differs_from_the_search_key_and_changes_with_its_budget()
    {
        var recovery = new FinalRecoverySettings { FineTuneSteps = 400 };
        var search = IndividualKey.Compute("c", "s", "m", null).Value;
        var final = IndividualKey.ForFinalRecovery("c", "s", "m", null, recovery).Value;

        Assert.NotEqual(search, final);
        Assert.NotEqual(final, IndividualKey.ForFinalRecovery("c", "s", "m", null, recovery with { FineTuneSteps = 401 }).Value);
        Assert.NotEqual(final, IndividualKey.ForFinalRecovery("c", "s", "m", null, recovery with { LearningRate = 1e-4 }).Value);
        Assert.Equal(final, IndividualKey.ForFinalRecovery("c", "s", "m", null, recovery with { MaxMembers = 9 }).Value);
    }

    [Fact]
    public void No_plan_when_no_member_qualifies()
    {
        var spec = Spec(0) with { FinalRecovery = Spec(0).FinalRecovery! with { MaxDropPoints = 0.5 } };
        Assert.Empty(FinalRecoveryStage.Plan(spec, Prepared, Front() with { Entries = [Entry(1, "ddd", 0.5, 10)] }, null));
        Assert.Empty(FinalRecoveryStage.Plan(Spec(0), Prepared, Front() with { Entries = [] }, null));
    }

    [Fact]
    public void The_result_waits_for_every_job_and_members_dominated_after_recovery_leave_the_final_front()
    {
        var spec = Spec(0);
        var jobs = FinalRecoveryStage.Plan(spec, Prepared, Front(), null);
        Assert.Null(FinalRecoveryStage.Result(spec, jobs, TimeSpan.FromSeconds(1)));

        var started = DateTimeOffset.UnixEpoch;
        Outcome(jobs[0], 0.91, 2000, exported: null);
        Outcome(jobs[1], 0.72, 100, exported: "member-01-ccc000000000");
        Outcome(jobs[2], 0.80, 500, exported: "member-02-bbb000000000");
        Assert.Null(FinalRecoveryStage.Result(spec, jobs, TimeSpan.FromSeconds(1)));
        Assert.True(FinalRecoveryStage.Book(jobs, jobs[3].CandidateId, EvaluationOutcome.Failure("diverged")));
        Assert.False(FinalRecoveryStage.Book(jobs, 42, EvaluationOutcome.Failure("unknown")));

        var result = FinalRecoveryStage.Result(spec, jobs, TimeSpan.FromSeconds(9));
        Assert.NotNull(result);
        Assert.Equal("unpruned", result.Unpruned.Label);
        Assert.True(result.Unpruned.OnFinalFront);
        Assert.Equal(400, result.FineTuneSteps);
        Assert.Equal(9, result.Seconds);
        Assert.Equal(["#1", "#2", "#3"], result.Members.Select(m => m.Label));
        Assert.Equal([true, true, false], result.Members.Select(m => m.OnFinalFront));
        Assert.Equal("member-01-ccc000000000", result.Members[0].ExportDirectory);
        Assert.False(result.Members[2].Succeeded);
        Assert.Equal(5, result.Members[0].Seconds, 6);

        void Outcome(FinalRecoveryJob job, double accuracy, double macs, string? exported) =>
            Assert.True(FinalRecoveryStage.Book(jobs, job.CandidateId, new EvaluationOutcome
            {
                Succeeded = true,
                Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = accuracy, [MetricNames.Macs] = macs },
                StartedAt = started,
                CompletedAt = started.AddSeconds(5),
                ExportName = exported,
            }));
    }

    [Fact]
    public void A_member_that_is_the_unpruned_model_is_recovered_once_with_it()
    {
        var full = Genome.Full(EvolutionMapping.Layout(Prepared));
        var unprunedMember = Entry(9, "x", 0.91, 2000) with { MaskHash = full.ContentHash, MaskText = full.ToCanonicalString() };
        var spec = Spec(0);
        var jobs = FinalRecoveryStage.Plan(spec, Prepared, Front() with { Entries = [.. Front().Entries, unprunedMember] }, null);
        Assert.Equal(5, jobs.Count);
        var dispatched = FinalRecoveryStage.Dispatched(jobs).ToList();
        Assert.Equal(4, dispatched.Count);

        // The member's job goes out, not the unpruned row's: it names the folder its recovered model is saved in.
        Assert.Contains(dispatched, j => j.Label == "#4" && j.ExportName is not null);
        Assert.DoesNotContain(dispatched, j => j.Label == FinalRecoveryStage.UnprunedLabel);

        var outcome = new EvaluationOutcome { Succeeded = true, Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = 0.9, [MetricNames.Macs] = 2000 } };
        foreach (var job in dispatched)
        {
            Assert.True(FinalRecoveryStage.Book(jobs, job.CandidateId, outcome));
        }

        var result = FinalRecoveryStage.Result(spec, jobs, TimeSpan.Zero);
        Assert.NotNull(result);
        Assert.Equal(full.ContentHash, Assert.Single(result.Members, m => m.Label == "#4").MaskHash);
        Assert.True(result.Members.Single(m => m.Label == "#4").Succeeded);
    }

    [Fact]
    public void In_a_ladder_a_member_is_recovered_from_its_highest_rung_weights_and_the_warm_start_is_part_of_its_key()
    {
        var ladder = Spec(0) with
        {
            Search = new SearchSettings { Fidelities = [new FidelityRung { FineTuneSteps = 0 }, new FidelityRung { FineTuneSteps = 100 }, new FidelityRung { FineTuneSteps = 300 }] },
        };
        Dictionary<string, double> AtRung(int rung) => new() { [MetricNames.Accuracy] = 0.9, [MetricNames.Macs] = 10, [MetricNames.AccuracyDrop] = 0, [MetricNames.FidelityRung] = rung };
        var front = Front() with { Entries = [Entry(1, "top", 0.9, 10) with { Metrics = AtRung(2) }, Entry(2, "cheap", 0.88, 5) with { Metrics = AtRung(0) }] };

        var jobs = FinalRecoveryStage.Plan(ladder, Prepared, front, null);

        var top = jobs.Single(j => j.MaskHash.StartsWith("top", StringComparison.Ordinal));
        Assert.Equal(IndividualKey.Compute("c0ffee", "5e771n65", top.MaskHash, null, ladder.RungAt(2)).Value, top.WarmStartKey);
        Assert.Equal(300, top.WarmStartSteps);
        Assert.NotEqual(IndividualKey.ForFinalRecovery("c0ffee", "5e771n65", top.MaskHash, null, ladder.FinalRecovery!).Value, top.Key);
        Assert.Equal(IndividualKey.ForFinalRecovery("c0ffee", "5e771n65", top.MaskHash, null, ladder.FinalRecovery!, top.WarmStartKey).Value, top.Key);

        // A rung of 0 steps has no weights to continue from; nor has the unpruned row, nor a search without a ladder.
        var cheap = jobs.Single(j => j.MaskHash.StartsWith("cheap", StringComparison.Ordinal));
        Assert.Null(cheap.WarmStartKey);
        Assert.Null(jobs[0].WarmStartKey);
        Assert.All(FinalRecoveryStage.Plan(Spec(0), Prepared, front, null), j => Assert.Null(j.WarmStartKey));

        // The in-flight entry carries it to the dispatcher, whose request's key is the job's key.
        var entry = FinalRecoveryStage.Entry(top, DateTimeOffset.UnixEpoch);
        Assert.Equal((top.WarmStartKey, 300), (entry.WarmStartKey, entry.WarmStartSteps));
    }

    [Fact]
    public void A_final_recovery_gets_a_deadline_scaled_by_its_longer_fine_tuning()
    {
        var spec = new ExperimentSpec
        {
            Evaluation = new EvaluationSettingsSpec { FineTuneSteps = 100 },
            FinalRecovery = new FinalRecoverySettings { FineTuneSteps = 600 },
        };
        Assert.Equal(TimeSpan.FromMinutes(60), DeadlinePolicy.ResolveFinalRecovery(spec, TimeSpan.FromMinutes(10)));
        Assert.Equal(TimeSpan.FromMinutes(10), DeadlinePolicy.ResolveFinalRecovery(spec with { FinalRecovery = new FinalRecoverySettings { FineTuneSteps = 50 } }, TimeSpan.FromMinutes(10)));
    }
}
