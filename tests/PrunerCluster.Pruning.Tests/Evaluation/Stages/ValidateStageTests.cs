using PrunerCluster.Pruning.Evaluation.Stages;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Scheduling;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

[Trait("Category", "Unit")]
public sealed class ValidateStageTests
{
    public ValidateStageTests() => TestSupport.Init();

    [Fact]
    public void TheSetIsTheValidationPrefixUnlessTheTestSetIsAskedFor()
    {
        var data = StageFixture.Data;
        var validation = ValidationSet.For(StageFixture.Settings with { ValidationSamples = 10 }, data);
        var test = ValidationSet.For(StageFixture.Settings with { ValidationSamples = 1000, UseTestSet = true }, data);

        Assert.Same(data.Validation, validation.Data);
        Assert.Equal(10, validation.Samples);
        Assert.Same(data.Test, test.Data);
        Assert.Equal(data.Test.Count, test.Samples);
        Assert.NotEqual(validation.Key, test.Key);
    }

    [Fact]
    public void TheBaselineIsComputedOncePerCheckpointAndSet()
    {
        using var source = StageFixture.Mlp(1);
        using var other = StageFixture.Mlp(2);
        var stage = new ValidateStage();
        var set = ValidationSet.For(StageFixture.Settings, StageFixture.Data);
        var expected = ClassificationMetrics.Evaluate(source, set.Data, set.Samples).Accuracy;

        Assert.Equal(expected, stage.Baseline(StageFixture.Run(), source, set, Gate, CancellationToken.None));
        Assert.Equal(expected, stage.Baseline(StageFixture.Run(), other, set, Gate, CancellationToken.None));
    }

    [Fact]
    public void ScoresAreRecordedAgainstTheBaseline()
    {
        using var model = StageFixture.Mlp();
        var run = StageFixture.Run();
        var set = ValidationSet.For(run.Settings, StageFixture.Data);
        var report = ClassificationMetrics.Evaluate(model, set.Data, set.Samples);

        ValidateStage.Run(run, model, set, 0.75, 48, 32, Gate, CancellationToken.None);

        Assert.Equal(report.Accuracy, run.Metrics[MetricNames.Accuracy]);
        Assert.Equal(0.75, run.Metrics[MetricNames.BaselineAccuracy]);
        Assert.Equal((0.75 - report.Accuracy) * 100.0, run.Metrics[MetricNames.AccuracyDrop]);
        Assert.Equal(48, run.Metrics[MetricNames.ComputeTrainSamples]);
        Assert.Equal(32 + set.Samples, run.Metrics[MetricNames.ComputeForwardSamples]);
        Assert.Equal(4, run.PerClassRecall.Count);
        Assert.True(run.Metrics.ContainsKey(MetricNames.ClassRecall(3)));
        Assert.True(run.Phases.ContainsKey("validate"));
    }

    private static DeviceGate Gate => new("cpu");
}
