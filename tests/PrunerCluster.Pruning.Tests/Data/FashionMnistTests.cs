using PrunerCluster.Pruning.Data;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Data;

[Trait("Category", "Slow")]
public sealed class FashionMnistTests
{
    [Fact]
    public void LoadsTheDebianPackageWithADeterministicSplit()
    {
        var split = TestSupport.Datasets.GetOrLoad("fashion-mnist", null, 5000, 1);
        Assert.Equal((55000, 5000, 10000), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.Equal((1, 28, 10), (split.Channels, split.ImageSize, split.Classes));
        Assert.InRange(split.Train.Mean[0], 0.27f, 0.30f);

        var again = DatasetCatalog.Load("fashion-mnist", null, 5000, 1);
        var other = DatasetCatalog.Load("fashion-mnist", null, 5000, 2);
        var first = Enumerable.Range(0, 50).Select(split.Validation.Label).ToArray();
        Assert.Equal(first, Enumerable.Range(0, 50).Select(again.Validation.Label).ToArray());
        Assert.NotEqual(first, Enumerable.Range(0, 50).Select(other.Validation.Label).ToArray());
        Assert.Same(split, TestSupport.Datasets.GetOrLoad("fashion-mnist", null, 5000, 1));
    }

    [Fact]
    public void BatchesAreNormalized()
    {
        TestSupport.Init();
        var split = TestSupport.Datasets.GetOrLoad("fashion-mnist", null, 5000, 1);
        using var scope = torch.NewDisposeScope();
        var (x, y) = split.Train.GetBatch(0, 512, torch.CPU);
        Assert.Equal(new long[] { 512, 1, 28, 28 }, x.shape);
        Assert.InRange(x.mean().item<float>(), -0.2f, 0.2f);
        Assert.InRange(x.std().item<float>(), 0.8f, 1.2f);
        Assert.Equal(512, y.shape[0]);
    }
}
