using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Models;

[Trait("Category", "Slow")]
public sealed class ZooModelTests
{
    public ZooModelTests() => TestSupport.Init();

    [Fact]
    public void ModelCreatedInsideADisposeScopeOutlivesIt()
    {
        ZooModel model;
        using (torch.NewDisposeScope())
        {
            model = ModelZoo.Create("lenet5", 1, 16, 4, 1);
        }

        using (model)
        using (torch.NewDisposeScope())
        {
            Assert.Equal(new long[] { 2, 4 }, model.call(torch.zeros(2, 1, 16, 16)).shape);
        }
    }

    [Fact]
    public void InitializationIsSeeded()
    {
        using var a = ModelZoo.Create("vgg", 1, 16, 4, 9);
        using var b = ModelZoo.Create("vgg", 1, 16, 4, 9);
        using var c = ModelZoo.Create("vgg", 1, 16, 4, 10);
        using var scope = torch.NewDisposeScope();
        var wa = a.parameters().First();
        Assert.True(wa.allclose(b.parameters().First(), rtol: 0, atol: 0));
        Assert.False(wa.allclose(c.parameters().First(), rtol: 0, atol: 0));
    }
}
