using PrunerCluster.Pruning.Scheduling;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Scheduling;

[Trait("Category", "Slow")]
public sealed class DeviceGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void SharedHoldersRunTogether()
    {
        var gate = new DeviceGate("cpu");
        using var a = gate.EnterShared();
        using var b = gate.EnterShared();
        Assert.Equal(2, gate.SharedHolders);
        Assert.False(gate.IsExclusive);
    }

    [Fact]
    public async Task ExclusiveWaitsForSharedAndBlocksNewShared()
    {
        var gate = new DeviceGate("cpu");
        var trainingStep = gate.EnterShared();
        using var exclusiveEntered = new ManualResetEventSlim();
        var timing = Task.Run(() =>
        {
            using var hold = gate.EnterExclusive();
            exclusiveEntered.Set();
            Thread.Sleep(200);
            Assert.Equal(0, gate.SharedHolders);
        });

        Assert.True(SpinWait.SpinUntil(() => gate.WaitingExclusive == 1, Patience));
        Assert.False(exclusiveEntered.IsSet);

        // A slot reaching its next safe point while the window waits must pause (writer preference).
        var nextStep = Task.Run(() =>
        {
            using var step = gate.EnterShared();
            Assert.False(gate.IsExclusive);
        });
        Assert.True(SpinWait.SpinUntil(() => gate.WaitingShared == 1, Patience));
        Assert.False(nextStep.IsCompleted);

        trainingStep.Dispose();
        Assert.True(exclusiveEntered.Wait(Patience));
        await nextStep.WaitAsync(Patience);
        await timing.WaitAsync(Patience);
        Assert.Equal(1, gate.ExclusiveWindows);
        Assert.Equal(1, gate.SharedPauses);
    }

    [Fact]
    public void WaitingIsCancellableAndLeavesTheGateUsable()
    {
        var gate = new DeviceGate("cpu");
        var step = gate.EnterShared();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.ThrowsAny<OperationCanceledException>(() => gate.EnterExclusive(cts.Token));

        // The cancelled writer no longer blocks readers.
        using (gate.EnterShared(new CancellationTokenSource(Patience).Token))
        {
            Assert.Equal(2, gate.SharedHolders);
        }

        step.Dispose();
        step.Dispose();
        Assert.Equal(0, gate.SharedHolders);
        using var exclusive = gate.EnterExclusive(new CancellationTokenSource(Patience).Token);
        Assert.True(gate.IsExclusive);
    }

    [Fact]
    public void TimingWindowSetsTheEvaluationsThreadsAndRestoresThem()
    {
        TestSupport.Init();
        var before = torch.get_num_threads();
        var wanted = before == 1 ? 2 : 1;
        var gate = new DeviceGates().For("cpu");
        using (var window = TimingWindow.Open(gate, torch.CPU, wanted))
        {
            Assert.Equal(wanted, window.Threads);
            Assert.Equal(wanted, torch.get_num_threads());
            Assert.Equal(wanted, LibTorchThreads.Process.Leased);
            Assert.True(gate.IsExclusive);
        }

        Assert.Equal(before, torch.get_num_threads());
        Assert.Equal(0, LibTorchThreads.Process.Leased);
        Assert.False(gate.IsExclusive);
    }
}
