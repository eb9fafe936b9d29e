using PrunerCluster.Pruning.Evaluation.Stages;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

[Trait("Category", "Unit")]
public sealed class FineTuneStageTests
{
    public FineTuneStageTests() => TestSupport.Init();

    [Fact]
    public void NoTeacherWithoutDistillationOrSteps()
    {
        using var source = StageFixture.Mlp();
        var train = StageFixture.Data.Train;

        Assert.Null(FineTuneStage.Teacher(StageFixture.Run(StageFixture.Settings with { DistillationWeight = 0 }), source, train, 3, Gate, CancellationToken.None));
        Assert.Null(FineTuneStage.Teacher(StageFixture.Run(), source, train, 0, Gate, CancellationToken.None));
    }

    [Fact]
    public void TheTeacherIsItsCachedLogitsWhenTheyFit()
    {
        using var source = StageFixture.Mlp();
        var run = StageFixture.Run();

        var teacher = FineTuneStage.Teacher(run, source, StageFixture.Data.Train, 3, Gate, CancellationToken.None);

        Assert.NotNull(teacher?.Logits);
        Assert.Null(teacher.Model);
        Assert.Equal(StageFixture.Data.Train.Count, teacher.Logits.Count);
        Assert.True(run.Phases.ContainsKey("teacher"));
    }

    [Fact]
    public void WithoutTheSearchTheSettingsRateIsUsed()
    {
        using var source = StageFixture.Mlp();
        var run = StageFixture.Run(StageFixture.Settings with { LearningRate = 0.01 });

        Assert.Equal(0.01, new FineTuneStage().LearningRate(run, source, StageFixture.Data, 3, 16, null, Gate, CancellationToken.None));
        Assert.Empty(run.Notes);
        Assert.False(run.Phases.ContainsKey("lr_search"));
    }

    [Fact]
    public void OptionsSpreadTheWarmupOverTheSteps()
    {
        var options = FineTuneStage.Options(StageFixture.Settings with { WarmupFraction = 0.25 }, 10, 8, 0.5);

        Assert.Equal(10, options.Steps);
        Assert.Equal(8, options.BatchSize);
        Assert.Equal(0.5, options.LearningRate);
        Assert.Equal(3, options.WarmupSteps);
        Assert.Equal(StageFixture.Settings.Seed, options.Seed);
    }

    [Fact]
    public void TrainingRecordsItsRateAndFinalLoss()
    {
        using var source = StageFixture.Mlp();
        var run = StageFixture.Run();
        var shrunk = ShrinkStage.Run(run, source);
        using var pruned = shrunk.Model;

        Assert.True(FineTuneStage.Train(run, shrunk, StageFixture.Data.Train, FineTuneStage.Options(run.Settings, 3, 16, 0.002), null, Gate, CancellationToken.None));

        Assert.Equal(0.002, run.Metrics[MetricNames.FineTuneLearningRate]);
        Assert.True(double.IsFinite(run.Metrics[MetricNames.FineTuneLoss]));
        Assert.True(run.Phases.ContainsKey("fine_tune"));
        Assert.Null(run.Failure);
    }

    [Fact]
    public void DivergenceFailsTheRun()
    {
        using var source = StageFixture.Mlp();
        var run = StageFixture.Run(StageFixture.Settings with { Optimizer = OptimizerKind.Sgd });
        var shrunk = ShrinkStage.Run(run, source);
        using var pruned = shrunk.Model;

        Assert.False(FineTuneStage.Train(run, shrunk, StageFixture.Data.Train, FineTuneStage.Options(run.Settings, 3, 16, 1e6), null, Gate, CancellationToken.None));

        Assert.StartsWith("fine-tuning diverged: ", run.Failure, StringComparison.Ordinal);
    }

    private static DeviceGate Gate => new("cpu");
}
