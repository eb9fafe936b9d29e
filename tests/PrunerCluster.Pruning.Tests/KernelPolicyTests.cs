namespace PrunerCluster.Pruning.Tests;

[Trait("Category", "Unit")]
public sealed class KernelPolicyTests
{
    /// <summary>Stands in for libtorch's oneDNN switch: records what it was last set to.</summary>
    private sealed class FakeSwitch
    {
        public bool OneDnn { get; private set; } = true;

        public List<bool> Calls { get; } = [];

        public void Set(bool enabled)
        {
            OneDnn = enabled;
            Calls.Add(enabled);
        }
    }

    private static (KernelPolicy Policy, FakeSwitch Switch) Create(string mode, bool switchable = true)
    {
        var fake = new FakeSwitch();
        return (new KernelPolicy(() => mode, () => switchable ? fake.Set : null), fake);
    }

    [Fact]
    public void InAutoModeTheFirstFaultPadsAndAFaultWhilePaddingSwitchesToNative()
    {
        var (policy, fake) = Create("auto");
        policy.Apply();
        Assert.Equal(KernelStage.OneDnn, policy.Stage);
        var checkedNatively = false;

        Assert.True(policy.ReportNumericFault("loss", () =>
        {
            checkedNatively = !fake.OneDnn;
            return false;
        }));

        Assert.True(checkedNatively);
        Assert.Equal(KernelStage.Padded, policy.Stage);
        Assert.True(policy.PadsChannels);
        Assert.True(fake.OneDnn);
        Assert.True(policy.OneDnnEnabled);
        Assert.Contains("non-finite loss", policy.PaddingReason, StringComparison.Ordinal);
        Assert.Null(policy.DisabledReason);

        Assert.True(policy.ReportNumericFault("gradient", () => false));

        Assert.Equal(KernelStage.Native, policy.Stage);
        Assert.False(policy.PadsChannels);
        Assert.False(fake.OneDnn);
        Assert.False(policy.OneDnnEnabled);
        Assert.Contains("non-finite gradient", policy.DisabledReason, StringComparison.Ordinal);
        Assert.False(policy.ReportNumericFault("loss", () => throw new InvalidOperationException("no check once native")));
        Assert.Equal(3, policy.Faults);
    }

    [Fact]
    public void AFaultTheNativeKernelsReproduceIsARealDivergenceAndChangesNothing()
    {
        var (policy, fake) = Create("auto");

        Assert.False(policy.ReportNumericFault("loss", () => true));

        Assert.Equal(KernelStage.OneDnn, policy.Stage);
        Assert.False(policy.PadsChannels);
        Assert.True(fake.OneDnn);
    }

    [Fact]
    public void AFailingCheckTurnsOneDnnBackOnAndRethrows()
    {
        var (policy, fake) = Create("auto");

        Assert.Throws<InvalidOperationException>(() => policy.ReportNumericFault("loss", () => throw new InvalidOperationException("boom")));

        Assert.True(fake.OneDnn);
        Assert.Equal(KernelStage.OneDnn, policy.Stage);
    }

    [Fact]
    public void TimingStopsPaddingWhileItLasts()
    {
        var (policy, fake) = Create("auto");
        policy.ReportNumericFault("loss", () => false);
        var calls = fake.Calls.Count;

        using (var timing = policy.OptimizedForTiming())
        {
            Assert.NotNull(timing);
            Assert.False(policy.PadsChannels);
            using (policy.OptimizedForTiming())
            {
                Assert.False(policy.PadsChannels);
            }

            Assert.False(policy.PadsChannels);
        }

        Assert.True(policy.PadsChannels);
        Assert.Equal(calls, fake.Calls.Count);
    }

    [Fact]
    public void TimingTurnsOneDnnOnWhileNativeAndOffAgainAfter()
    {
        var (policy, fake) = Create("off");
        policy.Apply();
        Assert.False(fake.OneDnn);

        using (var timing = policy.OptimizedForTiming())
        {
            Assert.True(fake.OneDnn);
            Assert.True(policy.OneDnnEnabled);
            Assert.False(policy.PadsChannels);
        }

        Assert.False(fake.OneDnn);
        Assert.False(policy.OneDnnEnabled);
    }

    [Fact]
    public void OnPlainOneDnnTimingHasNothingToUndo()
    {
        var (policy, _) = Create("auto");

        Assert.Null(policy.OptimizedForTiming());
    }

    [Fact]
    public void RestoringAfterPaddingOrNativeStartsOverOnPlainOneDnn()
    {
        var (policy, fake) = Create("auto");
        Assert.Null(policy.RestoreAfterFault());
        policy.ReportNumericFault("loss", () => false);

        Assert.StartsWith("channel counts padded to blocks of 16 since a non-finite loss", policy.RestoreAfterFault(), StringComparison.Ordinal);
        Assert.Equal(KernelStage.OneDnn, policy.Stage);
        Assert.False(policy.PadsChannels);

        policy.ReportNumericFault("loss", () => false);
        policy.ReportNumericFault("gradient", () => false);
        Assert.StartsWith("native kernels since a non-finite gradient", policy.RestoreAfterFault(), StringComparison.Ordinal);
        Assert.Equal(KernelStage.OneDnn, policy.Stage);
        Assert.True(fake.OneDnn);
        Assert.Null(policy.PaddingReason);
        Assert.Null(policy.DisabledReason);
    }

    [Fact]
    public void PadModePadsFromTheStartAndNeverSwitches()
    {
        var (policy, fake) = Create("pad");
        policy.Apply();

        Assert.True(policy.PadsChannels);
        Assert.False(policy.ReportNumericFault("loss", () => throw new InvalidOperationException("no check in pad mode")));
        Assert.Equal(KernelStage.Padded, policy.Stage);
        Assert.Null(policy.RestoreAfterFault());
        Assert.True(policy.PadsChannels);
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public void OnModeNeverSwitches()
    {
        var (policy, fake) = Create("on");
        policy.Apply();

        Assert.False(policy.ReportNumericFault("loss", () => false));
        Assert.Equal(KernelStage.OneDnn, policy.Stage);
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public void WithoutALibtorchSwitchAutoModeChangesNothing()
    {
        var (policy, _) = Create("auto", switchable: false);

        Assert.False(policy.ReportNumericFault("loss", () => false));
        Assert.Equal(KernelStage.OneDnn, policy.Stage);
        Assert.False(policy.PadsChannels);
    }
}
