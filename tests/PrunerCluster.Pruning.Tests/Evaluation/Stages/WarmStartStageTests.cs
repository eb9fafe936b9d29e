using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Evaluation.Stages;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

[Trait("Category", "Unit")]
public sealed class WarmStartStageTests
{
    public WarmStartStageTests() => TestSupport.Init();

    [Fact]
    public void WithoutAWarmStartNothingIsDone()
    {
        using var model = StageFixture.Mlp();
        var run = StageFixture.Run();

        Assert.Equal(0, WarmStartStage.Run(run, model));
        Assert.Empty(run.Notes);
        Assert.Empty(run.Metrics);
    }

    [Fact]
    public void FittingWeightsAreLoadedAndCountTheirSteps()
    {
        using var model = StageFixture.Mlp(1);
        using var trained = StageFixture.Mlp(2);
        var run = StageFixture.Run(warm: new WarmStart(Weights(trained), 2));

        Assert.Equal(2, WarmStartStage.Run(run, model));
        Assert.Equal(2, run.Metrics[MetricNames.WarmStartSteps]);
        Assert.Equal(Weights(trained), Weights(model));
        Assert.True(run.Phases.ContainsKey("warm_start"));
    }

    [Fact]
    public void MoreStepsThanTheBudgetAreIgnoredWithANote()
    {
        using var model = StageFixture.Mlp();
        var run = StageFixture.Run(warm: new WarmStart(Weights(model), StageFixture.Settings.FineTuneSteps + 1));

        Assert.Equal(0, WarmStartStage.Run(run, model));
        Assert.StartsWith("warm start ignored: it needs structured mode", Assert.Single(run.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void WeightsOfAnotherShapeLeaveTheModelAsItWas()
    {
        using var model = StageFixture.Mlp(1);
        using var other = StageFixture.Vgg(2);
        var before = Weights(model);
        var run = StageFixture.Run(warm: new WarmStart(Weights(other), 1));

        Assert.Equal(0, WarmStartStage.Run(run, model));
        Assert.StartsWith("warm start ignored, fine-tuned from the baseline instead: ", Assert.Single(run.Notes), StringComparison.Ordinal);
        Assert.Equal(before, Weights(model));
        Assert.False(run.Metrics.ContainsKey(MetricNames.WarmStartSteps));
    }

    private static byte[] Weights(ZooModel model)
    {
        using var stream = new MemoryStream();
        model.save(stream);
        return stream.ToArray();
    }
}
