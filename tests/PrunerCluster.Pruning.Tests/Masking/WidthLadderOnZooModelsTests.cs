using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;

namespace PrunerCluster.Pruning.Tests.Masking;

[Trait("Category", "Slow")]
public sealed class WidthLadderOnZooModelsTests
{
    [Theory]
    [InlineData("mlp", 16)]
    [InlineData("lenet5", 16)]
    [InlineData("vgg", 16)]
    [InlineData("resnet", 16)]
    [InlineData("resnet", 8)]
    public void Every_ladder_width_shrinks_the_model_to_exactly_that_width_without_rounding(string kind, int roundTo)
    {
        using var model = ModelZoo.Create(kind, 3, 32, 7, 1);
        var groups = PruningStructure.Analyze(model);
        var importance = Importance.Scores(model, ImportanceCriterion.L1);
        var deepest = groups.Max(g => KeepLevelMapping.WidthLadder(g.Units, 16, roundTo, minKeep: Math.Max(1, g.MinKeep)).Length);
        for (var step = 0; step < deepest; step++)
        {
            var widths = groups.ToDictionary(
                g => g.Name,
                g => KeepLevelMapping.WidthLadder(g.Units, 16, roundTo, minKeep: Math.Max(1, g.MinKeep)) is var ladder ? ladder[Math.Min(step, ladder.Length - 1)] : 0,
                StringComparer.Ordinal);
            var mask = new PruneMask(groups.ToDictionary(g => g.Name, g => KeepLevelMapping.KeepMostImportant(importance[g.Name], widths[g.Name]), StringComparer.Ordinal));
            var resolved = MaskApplier.Resolve(model, mask, EmptyGroupPolicy.Reject, roundTo);
            Assert.Empty(resolved.Notes);
            using var pruned = MaskApplier.Shrink(model, resolved.Kept);
            Assert.All(PruningStructure.Analyze(pruned), g => Assert.Equal(widths[g.Name], g.Units));
            using var input = TorchSharp.torch.randn(2, 3, 32, 32);
            using var logits = pruned.call(input);
            Assert.Equal([2L, 7L], logits.shape);
        }
    }
}
