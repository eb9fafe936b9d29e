using PrunerCluster.Client.Live;

namespace PrunerCluster.Client.Tests.Live;

[Trait("Category", "Unit")]
[Collection(ClientMetricsCollection.Name)]
public sealed class ClusterOutageTests
{
    [Fact]
    public async Task A_cluster_that_answers_again_within_the_tolerance_is_ridden_out()
    {
        var outage = new ClusterOutage(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5), TimeProvider.System);
        var calls = 0;
        var result = await outage.RunAsync(
            () => ++calls < 4 ? throw new Orleans.Runtime.SiloUnavailableException("coordinator's silo died") : Task.FromResult(42),
            CancellationToken.None);

        Assert.Equal(42, result);
        Assert.Equal(4, calls);
        Assert.Null(outage.Since);
    }

    [Fact]
    public async Task An_outage_longer_than_the_tolerance_propagates_the_failure()
    {
        var outage = new ClusterOutage(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(5), TimeProvider.System);
        var calls = 0;
        await Assert.ThrowsAsync<TimeoutException>(() => outage.RunAsync<int>(() => { calls++; throw new TimeoutException("no answer"); }, CancellationToken.None));
        Assert.True(calls > 1);
    }

    [Fact]
    public async Task Other_failures_are_not_retried()
    {
        var outage = new ClusterOutage(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5), TimeProvider.System);
        var calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => outage.RunAsync<int>(() => { calls++; throw new InvalidOperationException("a bug"); }, CancellationToken.None));
        Assert.Equal(1, calls);
    }
}
