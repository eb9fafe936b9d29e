using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Masking;

[Trait("Category", "Slow")]
public sealed class ShrinkEquivalenceTests
{
    public ShrinkEquivalenceTests() => TestSupport.Init();

    [Theory]
    [InlineData("mlp", 1, 16)]
    [InlineData("lenet5", 1, 28)]
    [InlineData("vgg", 1, 28)]
    [InlineData("resnet", 1, 28)]
    [InlineData("resnet", 3, 32)]
    public void ShrunkModelMatchesMaskedUnshrunkModel(string kind, int channels, int size)
    {
        using var model = ModelZoo.Create(kind, channels, size, 10, seed: 11);
        PerturbBatchNorm(model);
        model.eval();
        var groups = PruningStructure.Analyze(model);
        var mask = PruneMask.FromRanking(groups, Importance.Rank(model, ImportanceCriterion.Random, new ImportanceOptions { Seed = 5 }), 0.5);
        var resolved = MaskApplier.Resolve(model, mask);
        using var shrunk = MaskApplier.Shrink(model, resolved.Kept);
        using var masked = MaskApplier.CloneMasked(model, resolved.Kept);
        shrunk.eval();
        masked.eval();

        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        var x = torch.randn(4, channels, size, size, generator: new torch.Generator(3));
        var a = shrunk.call(x);
        var b = masked.call(x);
        var full = model.call(x);
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), $"max diff {a.sub(b).abs().max().item<float>()}");
        Assert.False(a.allclose(full, rtol: 1e-3, atol: 1e-4));
        Assert.True(shrunk.Macs < model.Macs);
        Assert.Equal(shrunk.ParameterCount, shrunk.parameters().Sum(p => p.numel()));
    }

    private static void PerturbBatchNorm(ZooModel model)
    {
        using var guard = torch.no_grad();
        var gen = new torch.Generator(17);
        foreach (var (name, t) in model.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal))
            {
                t.copy_(torch.randn(t.shape, generator: gen).mul(0.1));
            }
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
            {
                t.copy_(torch.rand(t.shape, generator: gen).add(0.5));
            }
        }

        foreach (var (name, p) in model.named_parameters())
        {
            if (name.Contains("bn", StringComparison.Ordinal) && name.EndsWith("bias", StringComparison.Ordinal))
            {
                p.copy_(torch.randn(p.shape, generator: gen).mul(0.1));
            }
        }
    }
}
