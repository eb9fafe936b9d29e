using PrunerCluster.Pruning.Metrics;

namespace PrunerCluster.Pruning.Tests.Metrics;

[Trait("Category", "Unit")]
public sealed class LatencyPolicyTests
{
    private static readonly LatencyPolicy Policy = new() { MinRuns = 5, MaxRuns = 8, TargetCiPercent = 3, MaxSeconds = 2 };

    [Fact]
    public void Tight_samples_stop_at_the_minimum_and_not_before()
    {
        double[] tight = [10, 10, 10, 10];
        Assert.False(Policy.IsDone(tight, TimeSpan.Zero));
        Assert.True(Policy.IsDone([.. tight, 10], TimeSpan.Zero));
    }

    [Fact]
    public void Spread_samples_go_on_until_the_run_cap_or_the_time_cap()
    {
        double[] spread = [5, 15, 7, 13, 9, 11];
        Assert.False(Policy.IsDone(spread, TimeSpan.FromSeconds(1)));
        Assert.True(Policy.IsDone(spread, TimeSpan.FromSeconds(2)));
        Assert.True(Policy.IsDone([.. spread, 6, 14], TimeSpan.Zero));
    }

    [Fact]
    public void Out_of_time_stops_after_three_samples_even_below_the_minimum()
    {
        Assert.False(Policy.IsDone([5, 15], TimeSpan.FromSeconds(3)));
        Assert.True(Policy.IsDone([5, 15, 9], TimeSpan.FromSeconds(3)));
    }
}
