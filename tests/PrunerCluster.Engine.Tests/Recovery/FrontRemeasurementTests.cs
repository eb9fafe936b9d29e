using PrunerCluster.Engine.Recovery;
using PrunerCluster.Contracts;

namespace PrunerCluster.Engine.Tests.Recovery;

[Trait("Category", "Unit")]
public sealed class FrontRemeasurementTests
{
    private static readonly ObjectiveDefinition[] Objectives =
    [
        new(MetricNames.Accuracy, ObjectiveDirection.Maximize),
        new(MetricNames.Macs, ObjectiveDirection.Minimize),
        new(MetricNames.LatencyMs, ObjectiveDirection.Minimize),
    ];

    private static ParetoEntry Entry(string hash, double accuracy, double macs, double latency) => new()
    {
        MaskText = "m-" + hash,
        MaskHash = hash,
        IndividualKey = "k-" + hash,
        Metrics = new Dictionary<string, double>
        {
            [MetricNames.Accuracy] = accuracy,
            [MetricNames.Macs] = macs,
            [MetricNames.LatencyMs] = latency,
            [MetricNames.LatencyCiPercent] = 9.0,
        },
    };

    private static Dictionary<string, double> Timed(double latency, double ci = 2.0) => new()
    {
        [MetricNames.LatencyMs] = latency,
        [MetricNames.LatencyCiPercent] = ci,
        [MetricNames.LatencyRuns] = 40,
        [MetricNames.Accuracy] = 0.1, // a re-timing validates one sample: its accuracy must never replace the search's
    };

    [Fact]
    public void A_member_whose_speed_was_noise_leaves_when_retimed_and_is_reported_with_both_figures()
    {
        // b has a's accuracy and MACs and was on the front only because its latency was timed low by noise.
        var pareto = new ParetoSet
        {
            ExperimentId = "x",
            Objectives = Objectives,
            Entries = [Entry("aaaaaaaaaaaaaaaa", 0.91, 100, 30), Entry("bbbbbbbbbbbbbbbb", 0.91, 100, 22), Entry("cccccccccccccccc", 0.85, 40, 12)],
        };

        var front = FrontRemeasurement.Recompute(pareto, [], [Timed(29), Timed(31), Timed(13)]);

        Assert.Equal(["aaaaaaaaaaaaaaaa", "cccccccccccccccc"], front.Pareto.Entries.Select(e => e.MaskHash));
        var left = Assert.Single(front.Left);
        Assert.Equal("bbbbbbbbbbbbbbbb", left.Entry.MaskHash);
        Assert.Equal((22.0, 31.0), (left.SearchLatencyMs, left.LatencyMs));
        Assert.Contains("dominated by aaaaaaaaaaaa", left.LeftReason, StringComparison.Ordinal);

        // Stayers carry the re-timed figures and spread, with the search's accuracy and MACs.
        var a = front.Pareto.Entries[0];
        Assert.Equal(29.0, a.Metrics[MetricNames.LatencyMs]);
        Assert.Equal(2.0, a.Metrics[MetricNames.LatencyCiPercent]);
        Assert.Equal(0.91, a.Metrics[MetricNames.Accuracy]);
        Assert.Equal(100.0, a.Metrics[MetricNames.Macs]);
    }

    [Fact]
    public void Unchanged_ordering_keeps_every_member_and_a_failed_retiming_keeps_the_search_figure()
    {
        var pareto = new ParetoSet
        {
            ExperimentId = "x",
            Objectives = Objectives,
            Entries = [Entry("aaaaaaaaaaaaaaaa", 0.91, 100, 30), Entry("cccccccccccccccc", 0.85, 40, 12)],
        };

        var front = FrontRemeasurement.Recompute(pareto, [], [null, Timed(14)]);

        Assert.Equal(2, front.Pareto.Entries.Count);
        Assert.Empty(front.Left);
        Assert.False(front.Members[0].Retimed);
        Assert.Equal(30.0, front.Pareto.Entries[0].Metrics[MetricNames.LatencyMs]);
        Assert.Equal(9.0, front.Pareto.Entries[0].Metrics[MetricNames.LatencyCiPercent]);
        Assert.Equal(14.0, front.Pareto.Entries[1].Metrics[MetricNames.LatencyMs]);
    }

    [Fact]
    public void A_member_that_violates_a_latency_constraint_after_retiming_leaves()
    {
        var pareto = new ParetoSet
        {
            ExperimentId = "x",
            Objectives = Objectives,
            Entries = [Entry("aaaaaaaaaaaaaaaa", 0.91, 100, 19), Entry("cccccccccccccccc", 0.85, 40, 12)],
        };

        var front = FrontRemeasurement.Recompute(pareto, [new ConstraintDefinition(MetricNames.LatencyMs, ConstraintOperator.LessOrEqual, 20)], [Timed(26), Timed(12)]);

        Assert.Equal(["cccccccccccccccc"], front.Pareto.Entries.Select(e => e.MaskHash));
        Assert.Contains("violates latency_ms <= 20", Assert.Single(front.Left).LeftReason, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => FrontRemeasurement.Recompute(pareto, [], [Timed(1)]));
    }

    [Fact]
    public void Only_specs_with_a_timed_objective_or_constraint_are_retimed()
    {
        var spec = new ExperimentSpec { Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)] };
        Assert.False(FrontRemeasurement.Affects(spec));
        Assert.True(FrontRemeasurement.Affects(spec with { Constraints = [new ConstraintDefinition(MetricNames.Throughput, ConstraintOperator.GreaterOrEqual, 100)] }));
        Assert.True(FrontRemeasurement.Affects(spec with { Objectives = Objectives }));
    }

    [Fact]
    public void The_report_holds_both_figures_of_every_member()
    {
        var pareto = new ParetoSet
        {
            ExperimentId = "x",
            Objectives = Objectives,
            Entries = [Entry("aaaaaaaaaaaaaaaa", 0.91, 100, 30), Entry("bbbbbbbbbbbbbbbb", 0.91, 100, 22)],
        };
        var json = RemeasurementReport.ToJson(FrontRemeasurement.Recompute(pareto, [], [Timed(29), Timed(31)]));
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var members = document.RootElement.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(2, members.Count);
        Assert.Equal(22.0, members[1].GetProperty("searchLatencyMs").GetDouble());
        Assert.Equal(31.0, members[1].GetProperty("retimedLatencyMs").GetDouble());
        Assert.False(members[1].GetProperty("stays").GetBoolean());
        Assert.Equal(1, document.RootElement.GetProperty("left").GetInt32());
    }
}
