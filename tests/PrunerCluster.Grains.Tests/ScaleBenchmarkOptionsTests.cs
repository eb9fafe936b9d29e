using PrunerCluster.Benchmarks;

namespace PrunerCluster.Grains.Tests;

/// <summary>The <c>scale</c> benchmark's arguments and report arithmetic (the benchmark itself is a program, never a test).</summary>
[Trait("Category", "Unit")]
public sealed class ScaleBenchmarkOptionsTests
{
    [Fact]
    public void Defaults_are_the_issues_size()
    {
        var o = ScaleOptions.Parse([]);
        Assert.Equal(8, o.Silos);
        Assert.Equal(32, o.SlotsPerSilo);
        Assert.Equal(256, o.TotalSlots);
        Assert.Equal([1.0, 1, 2, 4], o.Weights);
        Assert.Equal(2, o.EvalSeconds);
        Assert.Equal(2, o.Kill);
        Assert.True(o.Fsync);
        Assert.True(o.Runs("util") && o.Runs("zero") && o.Runs("kill"));
    }

    [Fact]
    public void Options_scale_it_down()
    {
        var o = ScaleOptions.Parse(["--silos", "3", "--slots", "4", "--eval-seconds", "0.5", "--seconds", "20", "--weights", "1,3", "--kill", "0", "--phases", "util,kill", "--no-fsync"]);
        Assert.Equal(12, o.TotalSlots);
        Assert.Equal(0.5, o.EvalSeconds);
        Assert.Equal(20, o.Seconds);
        Assert.Equal([1.0, 3], o.Weights);
        Assert.False(o.Fsync);
        Assert.True(o.Runs("util"));
        Assert.False(o.Runs("zero"));
        Assert.False(o.Runs("kill")); // --kill 0 skips the phase
        Assert.Contains("3 silos x 4 slots = 12", o.Describe(), StringComparison.Ordinal);

        var quick = ScaleOptions.Parse(["--quick", "--silos", "4"]);
        Assert.Equal(4, quick.Silos);
        Assert.Equal(4, quick.SlotsPerSilo);
    }

    [Theory]
    [InlineData("--silos", "0")]
    [InlineData("--slots", "x")]
    [InlineData("--weights", "1,-2")]
    [InlineData("--phases", "util,warp")]
    [InlineData("--bogus", "1")]
    [InlineData("--kill", "8")]
    [InlineData("--seconds", "")]
    public void Bad_arguments_are_refused(string name, string value) =>
        Assert.Throws<ArgumentException>(() => ScaleOptions.Parse([name, value]));

    [Fact]
    public void A_value_is_required() => Assert.Throws<ArgumentException>(() => ScaleOptions.Parse(["--silos"]));

    [Fact]
    public void Shares_and_utilization_are_measured_against_the_weights()
    {
        // 1:1:2:4 over 800 slot-seconds: entitled 12.5 / 12.5 / 25 / 50 %.
        var rows = ScaleOptions.Shares([1, 1, 2, 4], [110, 100, 190, 400]);
        Assert.Equal(0.125, rows[0].Entitled, 6);
        Assert.Equal(0.1375, rows[0].Share, 6);
        Assert.Equal(0.10, rows[0].Deviation, 6);
        Assert.Equal(-0.05, rows[2].Deviation, 6);
        Assert.Equal(0.0, rows[3].Deviation, 6);
        var text = ScaleOptions.FormatShares(rows, [55, 50, 95, 200]);
        Assert.Contains("+10.0%", text, StringComparison.Ordinal);
        Assert.Contains("largest |share/entitled-1| 10.0 %: goal met", text, StringComparison.Ordinal);
        Assert.Contains("goal MISSED", ScaleOptions.FormatShares(ScaleOptions.Shares([1, 1], [1, 3]), [1, 3]), StringComparison.Ordinal);

        // 2 s evaluations: 7,296 of them on 256 slots in 60 s is 95 %.
        Assert.Equal(0.95, ScaleOptions.Utilization(7296, 2, 256, 60), 6);
        Assert.Equal(0, ScaleOptions.Utilization(10, 2, 0, 60));
    }

    [Fact]
    public void Kill_budgets_follow_the_weights()
    {
        var o = ScaleOptions.Parse(["--silos", "2", "--slots", "4", "--eval-seconds", "1", "--kill-run", "10", "--kill", "1"]);
        // 8 slots x 10 s / 1 s = 80 evaluations, split 1:1:2:4.
        Assert.Equal([10, 10, 20, 40], o.KillBudgets());
    }
}
