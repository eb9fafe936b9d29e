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

        Assert.Null(FineTuneStage.Teacher(StageFixture.Run(StageFixture.Settings with { DistillationWeight = 0 }), source, train, 3, new TeacherLogitsCache()));
        Assert.Null(FineTuneStage.Teacher(StageFixture.Run(), source, train, 0, new TeacherLogitsCache()));
    }

    [Fact]
    public void TheTeacherIsTheSourceWithTheHostsSharedLogitsFilledAsStepsReadThem()
    {
        using var source = StageFixture.Mlp();
        var teachers = new TeacherLogitsCache();
        var run = StageFixture.Run();

        var teacher = FineTuneStage.Teacher(run, source, StageFixture.Data.Train, 3, teachers);

        Assert.NotNull(teacher?.Logits);
        Assert.Same(source, teacher.Model);
        Assert.Same(teacher.Logits, FineTuneStage.Teacher(StageFixture.Run(), source, StageFixture.Data.Train, 3, teachers)?.Logits);
        Assert.Equal(0, teacher.Logits.ComputedSamples);
        Assert.False(run.Phases.ContainsKey("teacher"), "nothing is computed before the steps read it");
    }

    [Fact]
    public void A_distilled_run_pays_for_the_teacher_chunks_it_filled_and_a_second_run_for_none()
    {
        using var source = StageFixture.Mlp();
        var teachers = new TeacherLogitsCache();

        double Forward(EvaluationRun run)
        {
            var shrunk = ShrinkStage.Run(run, source);
            using var pruned = shrunk.Model;
            var teacher = FineTuneStage.Teacher(run, source, StageFixture.Data.Train, 3, teachers);
            Assert.True(FineTuneStage.Train(run, shrunk, StageFixture.Data.Train, FineTuneStage.Options(run.Settings, 3, 16, 0.002), teacher, Gate, CancellationToken.None, out var forward));
            return forward;
        }

        var first = StageFixture.Run();
        Assert.True(Forward(first) > 0);
        Assert.True(first.Phases.ContainsKey("teacher"));
        var second = StageFixture.Run();
        Assert.Equal(0, Forward(second));
        Assert.False(second.Phases.ContainsKey("teacher"));
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

        Assert.True(FineTuneStage.Train(run, shrunk, StageFixture.Data.Train, FineTuneStage.Options(run.Settings, 3, 16, 0.002), null, Gate, CancellationToken.None, out _));

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

        Assert.False(FineTuneStage.Train(run, shrunk, StageFixture.Data.Train, FineTuneStage.Options(run.Settings, 3, 16, 1e6), null, Gate, CancellationToken.None, out _));

        Assert.StartsWith("fine-tuning diverged: ", run.Failure, StringComparison.Ordinal);
    }

    private static DeviceGate Gate => new("cpu");
}
