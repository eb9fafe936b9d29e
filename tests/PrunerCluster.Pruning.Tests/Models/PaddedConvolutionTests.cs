using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Tests.Models;

[Trait("Category", "Slow")]
public sealed class PaddedConvolutionTests
{
    public PaddedConvolutionTests() => TestSupport.Init();

    private static ZooModel Model(int width1, int width2)
    {
        var graph = new ModelGraph("odd", "input", 3, 8,
        [
            new GraphNode("conv1", GraphOp.Conv, ["input"], "c1") { OutChannels = width1, Kernel = 3, Padding = 1, Bias = true },
            new GraphNode("relu1", GraphOp.Relu, ["c1"], "r1"),
            new GraphNode("conv2", GraphOp.Conv, ["r1"], "c2") { OutChannels = width2, Kernel = 3, Stride = 2, Padding = 1, Dilation = 1, Bias = false },
            new GraphNode("flat", GraphOp.Flatten, ["c2"], "f"),
            new GraphNode("fc", GraphOp.Linear, ["f"], "out") { OutChannels = 3 },
        ], "out");
        return new ZooModel(graph, GraphAnalysis.Of(graph).Architecture("odd"), 7);
    }

    private static (GraphNode Node, Conv2d Conv) Conv(ZooModel model, string name) =>
        (model.Graph.Nodes.Single(n => n.Name == name), (Conv2d)model.named_children().Single(c => c.name == name).module);

    [Theory]
    [InlineData("conv1", false)]
    [InlineData("conv2", true)]
    public void APaddedConvolutionComputesTheSameOutputsAndWeightGradients(string name, bool padInput)
    {
        using var model = Model(11, 21);
        var (node, conv) = Conv(model, name);
        using var scope = torch.NewDisposeScope();
        var inChannels = conv.weight!.shape[1];
        var x = torch.randn([4, inChannels, 8, 8], generator: new Generator(3));

        var plain = conv.call(x);
        plain.square().sum().backward();
        var plainGrad = conv.weight!.grad!.clone();
        conv.zero_grad();
        var padded = PaddedConvolution.Forward(node, conv, x, padInput);
        padded.square().sum().backward();

        Assert.Equal(plain.shape, padded.shape);
        Assert.True(plain.allclose(padded, rtol: 1e-4, atol: 1e-5));
        Assert.True(plainGrad.allclose(conv.weight!.grad!, rtol: 1e-4, atol: 1e-4));
        Assert.Equal(conv.weight!.shape, conv.weight!.grad!.shape);
    }

    [Fact]
    public void ChannelCountsInWholeBlocksRunTheConvolutionUnchanged()
    {
        using var model = Model(16, 32);
        var (node, conv) = Conv(model, "conv2");
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([2, 16, 8, 8], generator: new Generator(5));

        Assert.True(conv.call(x).equal(PaddedConvolution.Forward(node, conv, x, padInput: true)).all().item<bool>());
    }

    [Fact]
    public void AWholeModelGivesTheSameLogitsWithItsConvolutionsPadded()
    {
        using var model = Model(11, 21);
        model.eval();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([4, 3, 8, 8], generator: new Generator(9));
        var (node1, conv1) = Conv(model, "conv1");
        var (node2, conv2) = Conv(model, "conv2");
        var fc = model.named_children().Single(c => c.name == "fc").module as Linear;

        var expected = model.call(x);
        var h = torch.nn.functional.relu(PaddedConvolution.Forward(node1, conv1, x, padInput: false));
        var actual = fc!.call(PaddedConvolution.Forward(node2, conv2, h, padInput: true).flatten(1));

        Assert.True(expected.allclose(actual, rtol: 1e-4, atol: 1e-5));
    }
}
