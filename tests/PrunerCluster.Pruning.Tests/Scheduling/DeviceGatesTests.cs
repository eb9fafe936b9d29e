using PrunerCluster.Pruning.Scheduling;

namespace PrunerCluster.Pruning.Tests.Scheduling;

[Trait("Category", "Unit")]
public sealed class DeviceGatesTests
{
    [Fact]
    public void CpuDevicesShareOneGateAndCudaDevicesHaveTheirOwn()
    {
        var gates = new DeviceGates();
        Assert.Same(gates.For("cpu"), gates.For("CPU"));
        Assert.Same(gates.For("cuda"), gates.For("cuda:0"));
        Assert.NotSame(gates.For("cuda:0"), gates.For("cuda:1"));
        Assert.NotSame(gates.For("cpu"), gates.For("cuda:0"));
        Assert.Equal("cuda:0", gates.For("cuda").Device);
    }

    [Fact]
    public void TwoHostsGatesDoNotBlockEachOther()
    {
        var first = new DeviceGates();
        var second = new DeviceGates();
        Assert.NotSame(first.For("cpu"), second.For("cpu"));

        using var timing = first.For("cpu").EnterExclusive();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => first.For("cpu").EnterShared(cancelled.Token));
        using var step = second.For("cpu").EnterShared(cancelled.Token);
        using var otherTiming = second.For("cuda:0").EnterExclusive(cancelled.Token);
        Assert.Equal(1, second.For("cpu").SharedHolders);
        Assert.False(second.For("cpu").IsExclusive);
    }
}
