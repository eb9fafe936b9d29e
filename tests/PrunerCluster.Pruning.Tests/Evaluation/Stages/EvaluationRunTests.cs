using PrunerCluster.Pruning.Metrics;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

[Trait("Category", "Unit")]
public sealed class EvaluationRunTests
{
    [Fact]
    public void PhasesAddUpAndTheInnermostFailedPhaseIsKept()
    {
        var run = StageFixture.Run();
        run.Time("apply", () => { });
        run.Time("apply", () => { });

        Assert.Throws<InvalidOperationException>(() => run.Time("outer", () => run.Time("inner", () => throw new InvalidOperationException())));

        Assert.True(run.Phases["apply"] >= 0);
        Assert.Equal("inner", run.FailedPhase);
        Assert.Equal(" in inner", run.InPhase);
        Assert.True(run.Phases.ContainsKey("outer"));
    }

    [Fact]
    public void AFailedRunReportsNeitherWeightsNorExport()
    {
        var run = StageFixture.Run(exportDirectory: "/tmp/somewhere");
        run.WeightsSha256 = "abc";
        run.Metrics[MetricNames.Accuracy] = 0.5;
        run.Failure = "fine-tuning diverged: x";

        var result = run.ToResult();

        Assert.False(result.Succeeded);
        Assert.Null(result.WeightsSha256);
        Assert.Null(result.ExportDirectory);
        Assert.Equal(MetricSources.Measured, result.MetricSources[MetricNames.Accuracy]);
        Assert.Equal(run.Mask.ContentHash, result.MaskHash);
    }
}
