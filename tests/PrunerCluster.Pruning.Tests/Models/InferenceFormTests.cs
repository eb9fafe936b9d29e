using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Tests.Graph;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Models;

[Trait("Category", "Slow")]
public sealed class InferenceFormTests
{
    public InferenceFormTests() => TestSupport.Init();

    [Theory]
    [InlineData("vgg", 1, 16, 4)]
    [InlineData("resnet", 3, 12, 7)]
    public void ZooModelsFoldEveryBatchNormAndComputeTheSameOutputs(string kind, int channels, int size, int classes)
    {
        using var model = ModelZoo.Create(kind, channels, size, classes, 3);
        RandomizeBatchNorms(model, 11);
        var batchNorms = model.Graph.Nodes.Count(n => n.Op == GraphOp.BatchNorm);
        Assert.True(batchNorms > 0);
        Assert.Equal(batchNorms, InferenceForm.FoldablePairs(model.Graph).Count);

        using var folded = InferenceForm.Fold(model);

        Assert.DoesNotContain(folded.Graph.Nodes, n => n.Op == GraphOp.BatchNorm);
        Assert.All(folded.Graph.Nodes.Where(n => n.Op == GraphOp.Conv), n => Assert.True(n.Bias));
        Assert.True(folded.Architecture.SameAs(model.Architecture));
        Assert.False(folded.training);
        AssertSameOutputs(model, folded, channels, size);
    }

    [Fact]
    public void ImportedDepthwiseConvolutionsFoldTheirBatchNorm()
    {
        using var model = OnnxImporter.Load(TestGraphs.Write(TestGraphs.BranchyProto(5), TestSupport.TempDirectory()));
        Assert.Contains(InferenceForm.FoldablePairs(model.Graph), p => p.Conv.Depthwise);

        using var folded = InferenceForm.Fold(model);

        Assert.DoesNotContain(folded.Graph.Nodes, n => n.Op == GraphOp.BatchNorm);
        AssertSameOutputs(model, folded, 3, 16);
    }

    [Fact]
    public void ABatchNormWhoseConvolutionOutputIsReadElsewhereStays()
    {
        var graph = new ModelGraph("shared", "input", 2, 8,
        [
            new GraphNode("conv", GraphOp.Conv, ["input"], "c") { OutChannels = 4, Kernel = 3, Padding = 1, Bias = false },
            new GraphNode("bn", GraphOp.BatchNorm, ["c"], "b"),
            new GraphNode("add", GraphOp.Add, ["b", "c"], "s"),
            new GraphNode("relu", GraphOp.Relu, ["s"], "r"),
            new GraphNode("flat", GraphOp.Flatten, ["r"], "f"),
            new GraphNode("fc", GraphOp.Linear, ["f"], "out") { OutChannels = 3 },
        ], "out");
        using var model = new ZooModel(graph, GraphAnalysis.Of(graph).Architecture("shared"), 5);
        RandomizeBatchNorms(model, 2);

        Assert.Empty(InferenceForm.FoldablePairs(graph));
        using var folded = InferenceForm.Fold(model);

        Assert.Contains(folded.Graph.Nodes, n => n.Op == GraphOp.BatchNorm);
        AssertSameOutputs(model, folded, 2, 8);
    }

    [Fact]
    public void FoldingLeavesTheSourceModelUntouched()
    {
        using var model = ModelZoo.Create("vgg", 1, 16, 4, 3);
        RandomizeBatchNorms(model, 4);
        model.train();
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        using (InferenceForm.Fold(model))
        {
        }

        Assert.True(model.training);
        foreach (var (name, tensor) in model.state_dict())
        {
            Assert.True(tensor.allclose(before[name], rtol: 0, atol: 0), name);
        }

        foreach (var t in before.Values)
        {
            t.Dispose();
        }
    }

    private static void RandomizeBatchNorms(ZooModel model, long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        var generator = new torch.Generator(unchecked((ulong)seed));
        foreach (var (name, t) in model.state_dict())
        {
            var bn = model.Graph.Nodes.Any(n => n.Op == GraphOp.BatchNorm && name.StartsWith(n.Name + ".", StringComparison.Ordinal));
            if (!bn || name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                continue;
            }

            var r = torch.rand(t.shape, generator: generator);
            t.copy_(name.EndsWith("running_mean", StringComparison.Ordinal) || name.EndsWith(".bias", StringComparison.Ordinal) ? (r - 0.5) : (r + 0.5));
        }
    }

    private static void AssertSameOutputs(ZooModel model, ZooModel folded, int channels, int size)
    {
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        var wasTraining = model.training;
        model.eval();
        var x = torch.randn([6, channels, size, size], generator: new torch.Generator(17));
        var expected = model.call(x);
        var actual = folded.call(x);
        model.train(wasTraining);
        var scale = expected.abs().max().item<float>();
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5 * Math.Max(1, scale)), $"max difference {(actual - expected).abs().max().item<float>()} at output scale {scale}");
    }
}
