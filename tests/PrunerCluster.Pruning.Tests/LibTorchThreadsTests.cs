namespace PrunerCluster.Pruning.Tests;

[Trait("Category", "Unit")]
public sealed class LibTorchThreadsTests
{
    [Fact]
    public void ConfigureSetsTheCountOnceAndConfigureIfUnsetKeepsTheFirst()
    {
        var (owner, sets) = Owner(initial: 8);
        owner.Configure(2);
        owner.Configure(2);
        Assert.False(owner.ConfigureIfUnset(4));
        Assert.False(owner.ConfigureIfUnset(2));
        Assert.Equal([2], sets);
        Assert.Equal(2, owner.Configured);
        Assert.Equal(1, owner.Refused);
    }

    [Fact]
    public void ConfigureIfUnsetAppliesWhenNothingWasConfigured()
    {
        var (owner, sets) = Owner(initial: 8);
        Assert.True(owner.ConfigureIfUnset(3));
        Assert.Equal([3], sets);
        Assert.Equal(0, owner.Refused);
    }

    [Fact]
    public void ALeaseHoldsItsCountAndRestoresTheConfiguredOne()
    {
        var (owner, sets) = Owner(initial: 8);
        owner.Configure(2);
        using (owner.Lease(1))
        {
            Assert.Equal(1, owner.Leased);
            using (owner.Lease(1))
            {
                Assert.Equal(1, owner.Leased);
            }

            Assert.Equal(1, owner.Leased);
        }

        Assert.Equal(0, owner.Leased);
        Assert.Equal([2, 1, 2], sets);
    }

    [Fact]
    public void AConfigurationDuringALeaseAppliesWhenTheLeaseEnds()
    {
        var (owner, sets) = Owner(initial: 8);
        owner.Configure(2);
        var lease = owner.Lease(1);
        owner.Configure(4);
        Assert.Equal([2, 1], sets);
        lease.Dispose();
        lease.Dispose();
        Assert.Equal([2, 1, 4], sets);
        Assert.Equal(4, owner.Configured);
    }

    [Fact]
    public void ALeaseForAnotherCountWaitsForTheOneInForce()
    {
        var (owner, sets) = Owner(initial: 8);
        owner.Configure(2);
        using (owner.Lease(1))
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            Assert.Throws<OperationCanceledException>(() => owner.Lease(3, cancelled.Token));
            Assert.Equal(1, owner.Leased);
        }

        using (owner.Lease(3))
        {
            Assert.Equal(3, owner.Leased);
        }

        Assert.Equal([2, 1, 2, 3, 2], sets);
    }

    [Fact]
    public void ALeaseWithoutConfigurationRestoresTheCountItFound()
    {
        var (owner, sets) = Owner(initial: 8);
        using (owner.Lease(2))
        {
        }

        Assert.Equal([2, 8], sets);
        Assert.Equal(0, owner.Configured);
    }

    [Fact]
    public void TwoOwnersDoNotShareState()
    {
        var (first, _) = Owner(initial: 8);
        var (second, _) = Owner(initial: 8);
        first.Configure(2);
        using var lease = first.Lease(1);
        Assert.Equal(0, second.Configured);
        Assert.Equal(0, second.Leased);
        Assert.NotSame(first, LibTorchThreads.Process);
    }

    private static (LibTorchThreads Owner, List<int> Sets) Owner(int initial)
    {
        var sets = new List<int>();
        var current = initial;
        return (new LibTorchThreads(n => { sets.Add(n); current = n; }, () => current), sets);
    }
}
