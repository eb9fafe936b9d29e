using PrunerCluster.Pruning.Evaluation.Stages;
using PrunerCluster.Pruning.Metrics;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

[Trait("Category", "Unit")]
public sealed class ScoreStageTests
{
    public ScoreStageTests() => TestSupport.Init();

    [Fact]
    public void TheFootprintIsAnalyticAndRelativeToTheSource()
    {
        using var source = StageFixture.Mlp();
        var run = StageFixture.Run(mask: StageFixture.Half(source.Architecture));
        var shrunk = ShrinkStage.Run(run, source);
        using var pruned = shrunk.Model;

        var footprint = ScoreStage.Footprint(run, pruned, source.Macs, source.Architecture, 4);

        Assert.Equal(pruned.Macs, footprint.Macs);
        Assert.Equal(footprint.Macs, run.Metrics[MetricNames.Macs]);
        Assert.Equal(2.0 * footprint.Macs, run.Metrics[MetricNames.Flops]);
        Assert.Equal((double)footprint.Macs / source.Macs, run.Metrics[MetricNames.MacRatio]);
        Assert.Equal(0.5, run.Metrics[MetricNames.KeptFraction]);
        Assert.Equal((footprint.Parameters * sizeof(float)) + (footprint.PeakActivationBytesPerSample * 4.0), run.Metrics[MetricNames.PeakMemoryBytes]);
        Assert.Equal(MetricSources.Analytic, run.Sources()[MetricNames.Macs]);
        Assert.Equal(MetricSources.Modeled, run.Sources()[MetricNames.PeakMemoryBytes]);
    }

    [Fact]
    public void EnergyIsModeledUnlessMeasured()
    {
        using var model = StageFixture.Mlp();
        var footprint = ModelFootprint.Of(model);
        var modeled = StageFixture.Run();
        var measured = StageFixture.Run();

        ScoreStage.Energy(modeled, footprint, MeasuredEnergy.None, 4);
        ScoreStage.Energy(measured, footprint, new MeasuredEnergy(1.5, "rapl"), 4);

        Assert.Equal(EnergyModel.MillijoulesPerInference(footprint, 4), modeled.Metrics[MetricNames.EnergyMj]);
        Assert.Equal(MetricSources.Modeled, modeled.EnergySource);
        Assert.Equal(1.5, measured.Metrics[MetricNames.EnergyMj]);
        Assert.Equal("rapl", measured.Sources()[MetricNames.EnergyMj]);
    }
}
