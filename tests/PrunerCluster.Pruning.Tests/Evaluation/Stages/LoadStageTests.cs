using PrunerCluster.Pruning.Evaluation.Stages;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

[Trait("Category", "Unit")]
public sealed class LoadStageTests
{
    public LoadStageTests() => TestSupport.Init();

    [Fact]
    public void TheCheckpointLoadsWhenItsHashMatches()
    {
        var path = Saved(out var hash);
        var run = StageFixture.Run(checkpoint: StageFixture.Checkpoint(path, hash));

        using var model = new LoadStage().Source(run, StageFixture.Data);

        Assert.True(StageFixture.MlpArchitecture.SameAs(model.Architecture));
        Assert.False(model.training);
        Assert.True(run.Phases.ContainsKey("load"));
    }

    [Fact]
    public void AnotherHashFailsInTheLoadPhase()
    {
        var path = Saved(out _);
        var run = StageFixture.Run(checkpoint: StageFixture.Checkpoint(path, new string('0', 64)));

        var error = Assert.Throws<InvalidDataException>(() => new LoadStage().Source(run, StageFixture.Data).Dispose());

        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Equal("load", run.FailedPhase);
    }

    [Fact]
    public void AMissingFileFails()
    {
        var run = StageFixture.Run(checkpoint: StageFixture.Checkpoint(Path.Combine(TestSupport.TempDirectory(), "absent.bin")));

        Assert.Throws<InvalidDataException>(() => new LoadStage().Source(run, StageFixture.Data).Dispose());
    }

    private static string Saved(out string hash)
    {
        var path = Path.Combine(TestSupport.TempDirectory(), "mlp.bin");
        using (var model = StageFixture.Mlp())
        {
            model.save(path);
        }

        hash = Sha256Hex.OfFile(path);
        return path;
    }
}
