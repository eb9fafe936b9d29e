namespace PrunerCluster.Pruning.Tests;

[Trait("Category", "Unit")]
public sealed class ConvolutionBackendTests
{
    public ConvolutionBackendTests() => TestSupport.Init();

    [Fact]
    public void TestsRunOnTheNativeKernelsAndTimingGetsOneDnnBack()
    {
        Assert.Equal("off", ConvolutionBackend.Mode);
        Assert.NotNull(ConvolutionBackend.Process.DisabledReason);

        using (var timing = ConvolutionBackend.Process.OptimizedForTiming())
        {
            Assert.NotNull(timing);
            Assert.True(ConvolutionBackend.Process.OneDnnEnabled);
        }
    }

    [Fact]
    public void NnpackStaysOffWhenTimingTurnsOneDnnBackOn()
    {
        Assert.False(ConvolutionBackend.Process.NnpackEnabled);

        using (ConvolutionBackend.Process.OptimizedForTiming())
        {
            Assert.True(ConvolutionBackend.Process.OneDnnEnabled);
            Assert.False(ConvolutionBackend.Process.NnpackEnabled);
        }

        Assert.False(ConvolutionBackend.Process.NnpackEnabled);
    }

    [Fact]
    public void OutsideAutoModeRestoringAfterAFaultKeepsTheChosenKernels()
    {
        var reason = ConvolutionBackend.Process.DisabledReason;

        Assert.Null(ConvolutionBackend.Process.RestoreAfterFault());

        Assert.NotNull(reason);
        Assert.Equal(reason, ConvolutionBackend.Process.DisabledReason);
    }

    [Fact]
    public void OutsideAutoModeAFaultChangesNothingAndRunsNoCheck()
    {
        var checkedIt = false;
        var faults = ConvolutionBackend.Process.Faults;

        Assert.False(ConvolutionBackend.Process.ReportNumericFault("test", () => checkedIt = true));

        Assert.False(checkedIt);
        Assert.True(ConvolutionBackend.Process.Faults > faults);
    }
}
