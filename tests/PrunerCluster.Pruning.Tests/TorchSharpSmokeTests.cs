using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Tests;

[Trait("Category", "Unit")]
public sealed class TorchSharpSmokeTests
{
    [Fact]
    public void NativeLibraryLoadsAndComputes()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var b = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }

    [Fact]
    public void OneOptimizerStepReducesLoss()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var model = nn.Linear(4, 1);
        var optimizer = optim.SGD(model.parameters(), 0.1);
        var x = randn(32, 4);
        var y = x.sum(1, keepdim: true);

        var before = nn.functional.mse_loss(model.call(x), y);
        optimizer.zero_grad();
        before.backward();
        optimizer.step();
        var after = nn.functional.mse_loss(model.call(x), y);

        Assert.True(after.item<float>() < before.item<float>(), $"loss {before.item<float>()} -> {after.item<float>()}");
    }
}
