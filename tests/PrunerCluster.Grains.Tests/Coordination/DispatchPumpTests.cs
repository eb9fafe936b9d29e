using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class DispatchPumpTests
{
    [Fact]
    public async Task A_request_while_a_pass_runs_makes_one_more_pass_never_a_concurrent_one()
    {
        var gate = new TaskCompletionSource();
        var passes = 0;
        var concurrent = 0;
        var maxConcurrent = 0;
        DispatchPump pump = null!;
        pump = new DispatchPump(async () =>
        {
            passes++;
            maxConcurrent = Math.Max(maxConcurrent, ++concurrent);
            if (passes == 1)
            {
                await gate.Task;
            }

            concurrent--;
        });

        var first = pump.RunAsync();
        Assert.True(pump.IsPumping);
        await pump.RunAsync();
        await pump.RunAsync();
        Assert.Equal(1, passes);
        gate.SetResult();
        await first;
        Assert.Equal(2, passes);
        Assert.Equal(1, maxConcurrent);
        Assert.False(pump.IsPumping);
    }

    [Fact]
    public async Task A_pass_may_ask_for_another_and_a_failing_pass_releases_the_pump()
    {
        var passes = 0;
        DispatchPump pump = null!;
        pump = new DispatchPump(() =>
        {
            if (++passes < 3)
            {
                pump.RequestPass();
            }

            return Task.CompletedTask;
        });
        await pump.RunAsync();
        Assert.Equal(3, passes);

        var failing = new DispatchPump(() => throw new InvalidOperationException("boom"));
        await Assert.ThrowsAsync<InvalidOperationException>(failing.RunAsync);
        Assert.False(failing.IsPumping);
    }
}
