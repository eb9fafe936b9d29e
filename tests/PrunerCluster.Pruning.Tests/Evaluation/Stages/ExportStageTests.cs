using PrunerCluster.Pruning.Evaluation.Stages;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Metrics;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

[Trait("Category", "Unit")]
public sealed class ExportStageTests
{
    public ExportStageTests() => TestSupport.Init();

    [Fact]
    public void WithoutADirectoryNothingIsWritten()
    {
        using var model = StageFixture.Mlp();
        var run = StageFixture.Run();

        ExportStage.Run(run, model, StageFixture.Data);

        Assert.False(run.Phases.ContainsKey("export"));
    }

    [Fact]
    public void TheModelAndItsCardCarryTheRunsMetricsAndNotes()
    {
        using var model = StageFixture.Mlp();
        var dir = Path.Combine(TestSupport.TempDirectory(), "export");
        var run = StageFixture.Run(exportDirectory: dir);
        run.Metrics[MetricNames.Accuracy] = 0.5;
        run.Notes.Add("a note");

        ExportStage.Run(run, model, StageFixture.Data);

        using var loaded = ModelExporter.Load(dir);
        Assert.Equal(0.5, loaded.Card.Metrics[MetricNames.Accuracy]);
        Assert.Equal(new[] { "a note" }, loaded.Card.Notes);
        Assert.Equal(run.Mask.ContentHash, loaded.Card.MaskHash);
        Assert.True(StageFixture.MlpArchitecture.SameAs(loaded.Card.SourceArchitecture!));
        Assert.True(run.Phases.ContainsKey("export"));
    }
}
