namespace PrunerCluster.Pruning.Tests;

[Trait("Category", "Unit")]
public sealed class HostMemoryTests
{
    [Fact]
    public void TorchRuntimePinsGlibcsThresholdsOnceOnLinux()
    {
        TestSupport.Init();
        var optedOut = string.Equals(Environment.GetEnvironmentVariable(HostMemory.OptOutVariable), "default", StringComparison.OrdinalIgnoreCase);
        Assert.Equal(OperatingSystem.IsLinux() && !optedOut, HostMemory.Pinned);
        Assert.Equal(HostMemory.Pinned, HostMemory.Configure());
    }
}
