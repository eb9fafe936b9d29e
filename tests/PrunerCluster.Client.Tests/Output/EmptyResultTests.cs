using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Testing;

namespace PrunerCluster.Client.Tests.Output;

/// <summary>An empty Pareto set is explained in one sentence and never suggests exporting a member that does not exist.</summary>
[Trait("Category", "Unit")]
public sealed class EmptyResultTests
{
    private static EvaluationRecord Record(long id, bool succeeded, string? reason = null) => new()
    {
        CandidateId = id,
        IndividualKey = "key-" + id,
        MaskHash = "hash-" + id,
        Succeeded = succeeded,
        FailureReason = reason,
    };

    private static ExperimentStatus Status(ExperimentState state, params string[] errors) => new() { ExperimentId = "exp-1", State = state, Errors = errors };

    [Fact]
    public void All_failed_names_the_count_and_the_most_common_reason()
    {
        var text = EmptyResult.Explain(Status(ExperimentState.Completed), [Record(1, false, "out of memory"), Record(2, false, "crash"), Record(3, false, "out of memory")], null);
        Assert.Equal("nothing was found: all 3 evaluation(s) failed; the most common reason (2 of 3): out of memory (every reason is in evaluations.csv)", text);
    }

    [Fact]
    public void Nothing_finished_says_whether_it_was_stopped_failed_or_out_of_budget()
    {
        var spec = SpecFile.Load(TestPaths.ExampleSpec) with { Budget = new BudgetSettings { WallClock = TimeSpan.FromSeconds(30) } };
        Assert.Equal("nothing was found: the search was stopped before any evaluation finished", EmptyResult.Explain(Status(ExperimentState.Cancelled), [], spec));
        Assert.Equal("nothing was found: the experiment failed before any evaluation finished (baseline: no data)", EmptyResult.Explain(Status(ExperimentState.Failed, "baseline: no data"), [], spec));
        Assert.Contains("no evaluation finished within the wall-clock budget of 00:00:30; raise budget.wallClock", EmptyResult.Explain(Status(ExperimentState.Completed), [], spec), StringComparison.Ordinal);
    }

    [Fact]
    public void Successful_members_outside_the_constraints_name_the_constraints()
    {
        var spec = SpecFile.Load(TestPaths.ExampleSpec) with { Constraints = [new ConstraintDefinition(MetricNames.AccuracyDrop, ConstraintOperator.LessOrEqual, 0.5)] };
        var text = EmptyResult.Explain(Status(ExperimentState.Completed), [Record(1, true), Record(2, false, "crash")], spec);
        Assert.Equal($"nothing was found: none of the 1 successful evaluation(s) met the constraints ({MetricNames.AccuracyDrop} <= 0.5); loosen them or give the search more evaluations", text);
    }

    [Fact]
    public void The_report_of_an_empty_run_explains_it_and_suggests_no_export()
    {
        using var temp = new TempDirectory();
        var pareto = Samples.Pareto() with { Entries = [] };
        var dir = Path.Combine(temp.Path, "run");
        RunDirectory.Write(dir, SpecFile.Load(TestPaths.ExampleSpec), Status(ExperimentState.Completed), pareto, [Record(1, false, "crash")]);
        var html = File.ReadAllText(Path.Combine(dir, RunDirectory.ReportFileName));
        Assert.Contains("nothing was found: all 1 evaluation(s) failed", html, StringComparison.Ordinal);
        Assert.DoesNotContain("--pick", html, StringComparison.Ordinal);
    }
}
