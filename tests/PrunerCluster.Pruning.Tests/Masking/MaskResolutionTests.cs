using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Masking;

[Trait("Category", "Slow")]
public sealed class MaskResolutionTests
{
    public MaskResolutionTests() => TestSupport.Init();

    [Fact]
    public void EmptyGroupIsRepairedWithAReasonOrRejected()
    {
        using var model = ModelZoo.Create("vgg", 1, 28, 10, 1);
        var mask = new PruneMask(new Dictionary<string, bool[]> { ["conv3"] = new bool[64] });

        var repaired = MaskApplier.Resolve(model, mask, EmptyGroupPolicy.Repair);
        Assert.Single(repaired.Kept["conv3"]);
        Assert.Contains(repaired.Notes, n => n.Contains("repaired conv3", StringComparison.Ordinal));
        Assert.Equal(32, repaired.Kept["conv1"].Length);

        var e = Assert.Throws<InvalidMaskException>(() => MaskApplier.Resolve(model, mask, EmptyGroupPolicy.Reject));
        Assert.Contains("conv3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongLengthsAndUnknownGroupsAreInvalid()
    {
        using var model = ModelZoo.Create("mlp", 1, 28, 10, 1);
        Assert.Contains("256 units", Assert.Throws<InvalidMaskException>(() => MaskApplier.Resolve(model, new PruneMask(new Dictionary<string, bool[]> { ["fc1"] = new bool[3] }))).Message, StringComparison.Ordinal);
        Assert.Contains("conv9", Assert.Throws<InvalidMaskException>(() => MaskApplier.Resolve(model, new PruneMask(new Dictionary<string, bool[]> { ["conv9"] = new bool[3] }))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8, 13, 16)]
    [InlineData(16, 13, 16)]
    [InlineData(16, 20, 32)]
    [InlineData(8, 32, 32)]
    [InlineData(16, 5, 8)]
    [InlineData(16, 4, 4)]
    public void RoundingKeepsMultiplesWithTheMostImportantUnits(int roundTo, int keep, int expected)
    {
        using var model = ModelZoo.Create("vgg", 1, 28, 10, 1);
        var bits = Enumerable.Range(0, 64).Select(i => i < keep).ToArray();
        var resolved = MaskApplier.Resolve(model, new PruneMask(new Dictionary<string, bool[]> { ["conv4"] = bits }), roundTo: roundTo);
        Assert.Equal(expected, resolved.Kept["conv4"].Length);
        Assert.All(Enumerable.Range(0, keep), i => Assert.Contains(i, resolved.Kept["conv4"]));
    }

    [Fact]
    public void SparsityZeroesTheRequestedFractionAndSurvivesFineTuning()
    {
        using var model = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        using var state = MaskApplier.ApplySparsity(model, new Dictionary<string, double> { ["fc1"] = 0.75, ["conv2"] = 0.5 });
        Assert.Equal(2, state.Layers);
        var data = TestSupport.Synthetic(64, size: 16);
        Trainer.Train(model, data, new FineTuneOptions { Steps = 3, BatchSize = 16 }, sparsity: state);
        using var guard = torch.no_grad();
        var fc1 = model.named_parameters().Single(p => p.name == "fc1.weight").parameter;
        var conv2 = model.named_parameters().Single(p => p.name == "conv2.weight").parameter;
        Assert.Equal((long)Math.Floor(0.75 * fc1.numel()), fc1.numel() - fc1.count_nonzero().item<long>());
        Assert.Equal((long)Math.Floor(0.5 * conv2.numel()), conv2.numel() - conv2.count_nonzero().item<long>());
    }

    [Fact]
    public void FromRankingKeepsTheFirstUnits()
    {
        var groups = PruningStructure.Analyze(ModelZoo.DefaultArchitecture("mlp", 1, 28, 10));
        var ranking = groups.ToDictionary(g => g.Name, g => Enumerable.Range(0, g.Units).Reverse().ToArray());
        var mask = PruneMask.FromRanking(groups, ranking, 0.25);
        Assert.Equal(64, mask.KeptCount("fc1"));
        Assert.True(mask.Keep["fc1"][255]);
        Assert.False(mask.Keep["fc1"][0]);
        Assert.Equal(64, mask.ContentHash.Length);
    }
}
