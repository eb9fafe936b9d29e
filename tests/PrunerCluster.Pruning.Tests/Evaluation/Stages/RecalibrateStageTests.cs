using PrunerCluster.Pruning.Evaluation.Stages;
using PrunerCluster.Pruning.Scheduling;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

[Trait("Category", "Unit")]
public sealed class RecalibrateStageTests
{
    public RecalibrateStageTests() => TestSupport.Init();

    [Fact]
    public void APrunedBatchNormModelIsRecalibratedOnTheConfiguredBatches()
    {
        using var source = StageFixture.Vgg();
        var run = StageFixture.Run(mask: StageFixture.Half(source.Architecture));
        var shrunk = ShrinkStage.Run(run, source);
        using var pruned = shrunk.Model;

        var samples = RecalibrateStage.Run(run, source, pruned, StageFixture.Data.Train, 16, Gate, CancellationToken.None);

        Assert.Equal(2 * 16, samples);
        Assert.True(run.Phases.ContainsKey("recalibrate"));
        Assert.Empty(run.Notes);
    }

    [Fact]
    public void AnUnprunedModelKeepsItsTrainedStatistics()
    {
        using var source = StageFixture.Vgg();
        var run = StageFixture.Run(mask: StageFixture.Full(source.Architecture));
        var shrunk = ShrinkStage.Run(run, source);
        using var pruned = shrunk.Model;

        Assert.Equal(0, RecalibrateStage.Run(run, source, pruned, StageFixture.Data.Train, 16, Gate, CancellationToken.None));
        Assert.False(run.Phases.ContainsKey("recalibrate"));
    }

    [Fact]
    public void AModelWithoutBatchNormIsSkippedWithANote()
    {
        using var source = StageFixture.Mlp();
        var run = StageFixture.Run(mask: StageFixture.Half(source.Architecture));
        var shrunk = ShrinkStage.Run(run, source);
        using var pruned = shrunk.Model;

        Assert.Equal(0, RecalibrateStage.Run(run, source, pruned, StageFixture.Data.Train, 16, Gate, CancellationToken.None));
        Assert.Contains("recalibration: the model has no BatchNorm layer with running statistics; skipped", run.Notes);
    }

    private static DeviceGate Gate => new("cpu");
}
