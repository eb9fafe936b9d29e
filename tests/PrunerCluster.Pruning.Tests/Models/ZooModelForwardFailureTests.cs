using System.Runtime.InteropServices;
using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Models;

/// <summary>
/// A forward pass that fails part-way (here: an input of the wrong size reaching the first linear layer) surfaces
/// libtorch's error, not a lookup of the graph output it never produced (the "given key 'fc2'" crash of a final recovery).
/// </summary>
[Trait("Category", "Unit")]
public sealed class ZooModelForwardFailureTests
{
    public ZooModelForwardFailureTests() => TestSupport.Init();

    [Fact]
    public void AFailureAfterTheFirstNodeKeepsItsOwnException()
    {
        using var model = ModelZoo.Create(ModelZoo.Vgg, 1, 16, 4, 3);
        using var input = torch.zeros(2, 1, 24, 24);

        var error = Record.Exception(() => model.call(input).Dispose());

        Assert.NotNull(error);
        Assert.IsNotType<KeyNotFoundException>(error);
        Assert.IsAssignableFrom<ExternalException>(error);
    }

    [Fact]
    public void AFailedForwardDisposesTheIntermediateTensors()
    {
        using var model = ModelZoo.Create(ModelZoo.Vgg, 1, 16, 4, 3);
        using var input = torch.zeros(2, 1, 24, 24);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.ThrowsAny<ExternalException>(() => model.call(input).Dispose());

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void ASuccessfulForwardReturnsOnlyTheOutput()
    {
        using var model = ModelZoo.Create(ModelZoo.Vgg, 1, 16, 4, 3);
        using var input = torch.zeros(2, 1, 16, 16);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        using (var output = model.call(input))
        {
            Assert.Equal(new long[] { 2, 4 }, output.shape);
        }

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
