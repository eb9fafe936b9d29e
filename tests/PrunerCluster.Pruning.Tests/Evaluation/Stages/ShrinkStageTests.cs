using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Evaluation.Stages;
using PrunerCluster.Pruning.Masking;

namespace PrunerCluster.Pruning.Tests.Evaluation.Stages;

[Trait("Category", "Unit")]
public sealed class ShrinkStageTests
{
    public ShrinkStageTests() => TestSupport.Init();

    [Fact]
    public void StructuredModeKeepsOnlyTheMaskedUnits()
    {
        using var source = StageFixture.Mlp();
        var run = StageFixture.Run(mask: StageFixture.Half(source.Architecture));

        var shrunk = ShrinkStage.Run(run, source);
        using var model = shrunk.Model;

        Assert.Null(shrunk.Sparsity);
        Assert.Equal(128, model.Architecture.Width("fc1"));
        Assert.Equal(64, model.Architecture.Width("fc2"));
        Assert.Equal(Enumerable.Range(0, 128), shrunk.Kept["fc1"]);
        Assert.Same(shrunk.Kept, run.Kept);
        Assert.Same(model.Architecture, run.PrunedArchitecture);
        Assert.Empty(run.SparsityFractions);
        Assert.True(run.Phases.ContainsKey("apply"));
    }

    [Fact]
    public void UnstructuredModeKeepsEveryUnitAndSparsifiesWithANote()
    {
        using var source = StageFixture.Mlp();
        var mask = StageFixture.Half(source.Architecture) with { SparsityLevels = new Dictionary<string, int> { ["fc1"] = 2 } };
        var run = StageFixture.Run(StageFixture.Settings with { Mode = PruningMode.Unstructured }, mask);

        var shrunk = ShrinkStage.Run(run, source);
        using var model = shrunk.Model;
        using var sparsity = shrunk.Sparsity;

        Assert.NotNull(sparsity);
        Assert.Equal(256, model.Architecture.Width("fc1"));
        Assert.Equal(0.5, run.SparsityFractions["fc1"]);
        Assert.Contains("unstructured mode: keep-bits ignored, only sparsity levels apply", run.Notes);
    }

    [Fact]
    public void ASparsityLevelOutsideTheSettingsIsAnInvalidMask()
    {
        using var source = StageFixture.Mlp();
        var mask = StageFixture.Full(source.Architecture) with { SparsityLevels = new Dictionary<string, int> { ["fc1"] = 9 } };

        var error = Assert.Throws<InvalidMaskException>(() => ShrinkStage.SparsityFractions(mask, StageFixture.Settings with { Mode = PruningMode.Hybrid }, source));

        Assert.Contains("level 9", error.Message, StringComparison.Ordinal);
        Assert.Empty(ShrinkStage.SparsityFractions(mask, StageFixture.Settings, source));
    }
}
