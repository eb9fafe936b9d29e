namespace PrunerCluster.Pruning.Tests;

[Trait("Category", "Unit")]
public sealed class ConvolutionBackendTests
{
    public ConvolutionBackendTests() => TestSupport.Init();

    [Fact]
    public void TestsRunOnTheNativeKernelsAndTimingGetsOneDnnBack()
    {
        Assert.Equal("off", ConvolutionBackend.Mode);
        Assert.NotNull(ConvolutionBackend.DisabledReason);

        using (var timing = ConvolutionBackend.OptimizedForTiming())
        {
            Assert.NotNull(timing);
            Assert.True(ConvolutionBackend.OneDnnEnabled);
        }
    }

    [Fact]
    public void NnpackStaysOffWhenTimingTurnsOneDnnBackOn()
    {
        Assert.False(ConvolutionBackend.NnpackEnabled);

        using (ConvolutionBackend.OptimizedForTiming())
        {
            Assert.True(ConvolutionBackend.OneDnnEnabled);
            Assert.False(ConvolutionBackend.NnpackEnabled);
        }

        Assert.False(ConvolutionBackend.NnpackEnabled);
    }

    [Fact]
    public void OutsideAutoModeRestoringAfterAFaultKeepsTheChosenKernels()
    {
        var reason = ConvolutionBackend.DisabledReason;

        Assert.Null(ConvolutionBackend.RestoreAfterFault());

        Assert.NotNull(reason);
        Assert.Equal(reason, ConvolutionBackend.DisabledReason);
    }

    [Fact]
    public void OutsideAutoModeAFaultChangesNothingAndRunsNoCheck()
    {
        var checkedIt = false;
        var faults = ConvolutionBackend.Faults;

        Assert.False(ConvolutionBackend.ReportNumericFault("test", () => checkedIt = true));

        Assert.False(checkedIt);
        Assert.True(ConvolutionBackend.Faults > faults);
    }
}
