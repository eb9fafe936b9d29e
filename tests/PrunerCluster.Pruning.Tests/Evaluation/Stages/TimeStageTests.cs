using PrunerCluster.Pruning.Evaluation.Stages;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Scheduling;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

[Trait("Category", "Unit")]
public sealed class TimeStageTests
{
    public TimeStageTests() => TestSupport.Init();

    [Fact]
    public void TimedAloneTheLatencyIsTheRawMedian()
    {
        using var model = StageFixture.Mlp();
        var run = StageFixture.Run(StageFixture.Settings with { LatencyReference = LatencyReference.None });

        var energy = TimeStage.Run(run, model, StageFixture.Data, ValidationSet.For(run.Settings, StageFixture.Data), 4, new DeviceGate("cpu"), new ReferenceCalibration(), CancellationToken.None);

        Assert.Same(MeasuredEnergy.None, energy);
        Assert.True(run.Metrics[MetricNames.LatencyMs] > 0);
        Assert.Equal(run.Metrics[MetricNames.LatencyRawMs], run.Metrics[MetricNames.LatencyMs]);
        Assert.Equal(4 / (run.Metrics[MetricNames.LatencyMs] / 1000.0), run.Metrics[MetricNames.Throughput]);
        Assert.Equal(2, run.Metrics[MetricNames.LatencyRuns]);
        Assert.False(run.Metrics.ContainsKey(MetricNames.LatencyRatio));
        Assert.True(run.Phases.ContainsKey("latency"));
        Assert.False(run.Phases.ContainsKey("timing_wait"));
    }

    [Fact]
    public void AMissedConfidenceTargetIsNoted()
    {
        using var model = StageFixture.Mlp();
        var run = StageFixture.Run(StageFixture.Settings with { LatencyReference = LatencyReference.None, LatencyTargetCiPercent = 1e-9 });

        TimeStage.Run(run, model, StageFixture.Data, ValidationSet.For(run.Settings, StageFixture.Data), 4, new DeviceGate("cpu"), new ReferenceCalibration(), CancellationToken.None);

        Assert.Contains(run.Notes, n => n.StartsWith("latency: confidence target +-1E-09% not reached after 2 runs", StringComparison.Ordinal));
    }

    [Fact]
    public void AnExclusiveTimingWindowOpensOnTheGateItIsGiven()
    {
        using var model = StageFixture.Mlp();
        var run = StageFixture.Run(StageFixture.Settings with { LatencyReference = LatencyReference.None, ExclusiveTiming = true });
        var gate = new DeviceGate("cpu");
        var other = new DeviceGate("cpu");

        TimeStage.Run(run, model, StageFixture.Data, ValidationSet.For(run.Settings, StageFixture.Data), 4, gate, new ReferenceCalibration(), CancellationToken.None);

        Assert.Equal(1, gate.ExclusiveWindows);
        Assert.Equal(0, other.ExclusiveWindows);
        Assert.False(gate.IsExclusive);
        Assert.True(run.Phases.ContainsKey("timing_wait"));
    }
}
