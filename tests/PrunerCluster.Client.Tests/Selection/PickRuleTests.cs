using PrunerCluster.Client.Output;
using PrunerCluster.Client.Selection;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests.Selection;

[Trait("Category", "Unit")]
public sealed class PickRuleTests
{
    private static ParetoEntry Member(string hash, double accuracy, double drop, double macs, double latency) => new()
    {
        MaskText = "a=1",
        MaskHash = hash,
        IndividualKey = hash,
        Metrics = new Dictionary<string, double>
        {
            [MetricNames.Accuracy] = accuracy,
            [MetricNames.AccuracyDrop] = drop,
            [MetricNames.Macs] = macs,
            [MetricNames.LatencyMs] = latency,
        },
    };

    private static readonly IReadOnlyList<ParetoEntry> Ordered =
    [
        Member("a1", 0.80, 12.0, 1e6, 2),
        Member("b2", 0.90, 2.0, 3e6, 5),
        Member("c3", 0.915, 0.5, 6e6, 9),
        Member("d4", 0.92, 0.0, 9e6, 12),
    ];

    [Theory]
    [InlineData("2", "b2", 2)]
    [InlineData("rank 3", "c3", 3)]
    [InlineData("#1", "a1", 1)]
    [InlineData("hash:C3", "c3", 3)]
    [InlineData("smallest MACs with accuracy drop <= 1 pt", "c3", 3)]
    [InlineData("smallest macs with accuracy_drop <= 2", "b2", 2)]
    [InlineData("lowest latency where accuracy >= 90% and macs < 8M", "b2", 2)]
    [InlineData("best accuracy", "d4", 4)]
    [InlineData("highest accuracy with latency <= 10 ms", "c3", 3)]
    [InlineData("min latency", "a1", 1)]
    [InlineData("largest macs with accuracy < 0.91", "b2", 2)]
    public void Picks_the_member_the_rule_describes(string text, string hash, int rank)
    {
        var (entry, chosenRank) = PickRule.Parse(text).Select(Ordered);
        Assert.Equal(hash, entry.MaskHash);
        Assert.Equal(rank, chosenRank);
    }

    [Fact]
    public void A_drop_that_is_one_point_up_to_rounding_noise_satisfies_at_most_one_point_and_not_less_than_one()
    {
        var drop = (0.9140 - 0.9040) * 100.0;
        Assert.True(drop > 1.0);
        IReadOnlyList<ParetoEntry> front = [Member("big", 0.9095, 0.45, 15.2e6, 19), Member("edge", 0.9040, drop, 14.9e6, 17)];

        Assert.Equal("edge", PickRule.Parse("smallest MACs with accuracy drop <= 1 pt").Select(front).Entry.MaskHash);
        Assert.Equal("big", PickRule.Parse("smallest MACs with accuracy drop < 1 pt").Select(front).Entry.MaskHash);
        Assert.True(new PickCondition(MetricNames.AccuracyDrop, PickOperator.Equal, 1.0).Holds(drop));
        Assert.False(new PickCondition(MetricNames.AccuracyDrop, PickOperator.Greater, 1.0).Holds(drop));
        Assert.False(new PickCondition(MetricNames.AccuracyDrop, PickOperator.LessOrEqual, 1.0).Holds(1.001));
    }

    [Fact]
    public void Parses_conditions_into_the_metrics_own_units()
    {
        var rule = PickRule.Parse("smallest MACs with accuracy drop <= 1 pt and accuracy >= 90% and params < 1.5k");
        Assert.Equal(MetricNames.Macs, rule.Metric);
        Assert.False(rule.Largest);
        Assert.Equal(
            [new PickCondition(MetricNames.AccuracyDrop, PickOperator.LessOrEqual, 1), new(MetricNames.Accuracy, PickOperator.GreaterOrEqual, 0.9), new(MetricNames.Params, PickOperator.Less, 1500)],
            rule.Conditions);
        Assert.Equal("smallest macs with accuracy_drop <= 1 and accuracy >= 0.9 and params < 1500", rule.ToString());
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("0", "ranks start at 1")]
    [InlineData("smallest bananas", "'bananas' is not a metric")]
    [InlineData("smallest macs with accuracy about 3", "is not 'METRIC OP VALUE'")]
    [InlineData("hash:xyz", "hex digits")]
    [InlineData("give me a good one", "neither a rank")]
    [InlineData("smallest macs with accuracy >= 3 ms", "'ms' fits latency")]
    public void Invalid_rules_say_why_and_what_is_expected(string text, string why)
    {
        var ex = Assert.Throws<PickRuleException>(() => PickRule.Parse(text));
        Assert.Contains(why, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Expected a rank", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_member_satisfying_the_conditions_names_the_closest_value()
    {
        var ex = Assert.Throws<PickRuleException>(() => PickRule.Parse("smallest macs with accuracy_drop < 0").Select(Ordered));
        Assert.Contains("no Pareto member satisfies accuracy_drop < 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("closest accuracy_drop is 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_range_ranks_ambiguous_hashes_and_unmeasured_metrics_are_errors()
    {
        Assert.Contains("has 4 member(s)", Assert.Throws<PickRuleException>(() => PickRule.Parse("5").Select(Ordered)).Message, StringComparison.Ordinal);
        var twins = Ordered.Select((e, i) => e with { MaskHash = "ab" + i }).ToArray();
        Assert.Contains("give more digits", Assert.Throws<PickRuleException>(() => PickRule.Parse("hash:ab").Select(twins)).Message, StringComparison.Ordinal);
        Assert.Contains("no Pareto member has metric 'energy_mj'", Assert.Throws<PickRuleException>(() => PickRule.Parse("smallest energy").Select(Ordered)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ranks_follow_the_order_pareto_prints()
    {
        var pareto = Samples.Pareto();
        var ordered = ParetoReport.Ordered(pareto);
        Assert.Equal(ordered[0].MaskHash, PickRule.Parse("1").Select(ordered).Entry.MaskHash);
        Assert.Equal(ordered.MinBy(e => e.Metrics[MetricNames.Macs])!.MaskHash, PickRule.Parse("smallest macs").Select(ordered).Entry.MaskHash);
    }
}
