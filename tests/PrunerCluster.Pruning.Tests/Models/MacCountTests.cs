using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Tests.Models;

[Trait("Category", "Unit")]
public sealed class MacCountTests
{
    public MacCountTests() => TestSupport.Init();

    // Hand-computed for 1x28x28 inputs and 10 classes: conv Cout*Hout*Wout*Cin*K*K, linear in*out.
    [Theory]
    [InlineData("mlp", 784 * 256 + 256 * 128 + 128 * 10)]
    [InlineData("lenet5", (6 * 28 * 28 * 1 * 25) + (16 * 10 * 10 * 6 * 25) + (400 * 120) + (120 * 84) + (84 * 10))]
    [InlineData("vgg", (32 * 784 * 1 * 9) + (32 * 784 * 32 * 9) + (64 * 196 * 32 * 9) + (64 * 196 * 64 * 9) + (128 * 49 * 64 * 9) + (128 * 9 * 256) + (256 * 10))]
    [InlineData("resnet", (16 * 784 * 9) + (2 * 16 * 784 * 16 * 9) + (32 * 196 * 16 * 9) + (32 * 196 * 32 * 9) + (32 * 196 * 16) + (64 * 49 * 32 * 9) + (64 * 49 * 64 * 9) + (64 * 49 * 32) + (64 * 10))]
    public void MacsMatchHandComputedValues(string kind, long expected)
    {
        using var model = ModelZoo.Create(kind, 1, 28, 10, seed: 1);
        Assert.Equal(expected, model.Macs);
        Assert.Equal(model.parameters().Sum(p => p.numel()), model.ParameterCount);
    }

    [Fact]
    public void KnownTotalsAndShrunkVgg()
    {
        Assert.Equal(22_199_296, Macs("vgg", null));
        Assert.Equal(9_345_920, Macs("resnet", null));
        var half = new Dictionary<string, int> { ["conv1"] = 16, ["conv2"] = 16, ["conv3"] = 32, ["conv4"] = 32, ["conv5"] = 64, ["fc1"] = 128 };
        Assert.Equal((16 * 784 * 9) + (16 * 784 * 16 * 9) + (32 * 196 * 16 * 9) + (32 * 196 * 32 * 9) + (64 * 49 * 32 * 9) + (64 * 9 * 128) + (128 * 10), Macs("vgg", half));
    }

    [Fact]
    public void ArchitectureRoundTripsThroughJson()
    {
        var a = ModelZoo.DefaultArchitecture("resnet", 3, 32, 10).WithWidths(new Dictionary<string, int> { ["block2"] = 7 });
        var b = ArchitectureSpec.FromJson(a.ToJson());
        Assert.True(a.SameAs(b));
        Assert.Equal(7, b.Width("block2"));
    }

    [Fact]
    public void BadArchitecturesAreRejectedClearly()
    {
        Assert.Contains("known: mlp", Assert.Throws<ArgumentException>(() => ModelZoo.Create("alexnet", 1, 28, 10, 1)).Message, StringComparison.Ordinal);
        var zero = ModelZoo.DefaultArchitecture("vgg", 1, 28, 10).WithWidths(new Dictionary<string, int> { ["conv3"] = 0 });
        Assert.Contains("conv3", Assert.Throws<ArgumentException>(() => ModelZoo.Create(zero)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ModelZoo.DefaultArchitecture("vgg", 1, 28, 10).WithWidths(new Dictionary<string, int> { ["nope"] = 3 }));
        Assert.Contains("12x12", Assert.Throws<ArgumentException>(() => ModelZoo.Create("lenet5", 1, 8, 10, 1)).Message, StringComparison.Ordinal);
    }

    private static long Macs(string kind, IReadOnlyDictionary<string, int>? widths)
    {
        var a = ModelZoo.DefaultArchitecture(kind, 1, 28, 10);
        using var model = ModelZoo.Create(widths is null ? a : a.WithWidths(widths));
        return model.Macs;
    }
}
