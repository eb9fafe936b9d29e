using global::Onnx;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Structure;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Graph.Dependency;

/// <summary>
/// Two ShuffleNetV2 units in a row: a unit of the first shuffle is channel i of both its halves (output channels 2i, 2i + 1); the next unit
/// takes half of those pairs as its pass-through, so its branch's outputs are tied in pairs and its shuffle's units are 4 channels wide.
/// Groups are named after their first producer: <c>stem</c> and <c>stem_2</c> for the stem's pass-through quarters, <c>stem_3</c> for the half b1 reads.
/// The shrunk model matches the model with the removed channels zeroed and runs as in ONNX Runtime.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ChannelShuffleChainTests : IDisposable
{
    private const int Classes = 3;
    private readonly string _dir = TestSupport.TempDirectory();

    public ChannelShuffleChainTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Units_through_two_shuffles_widen_from_channels_to_pairs_to_fours()
    {
        var analysis = GraphAnalysis.Of(Graph());
        var groups = analysis.Groups.ToDictionary(g => g.Name);

        Assert.Equal([("head", 6), ("stem", 2), ("stem_2", 2), ("stem_3", 4)], groups.Values.Select(g => (g.Name, g.Units)).OrderBy(g => g.Name, StringComparer.Ordinal));
        Assert.Equal(["stem", "stem_bn", "b1", "b2"], groups["stem"].Producers);
        Assert.Equal(GroupKinds.ResidualChannels, groups["stem"].Kind);
        Assert.Equal([("stem", 1, 0), ("stem_2", 1, 2), ("stem_3", 1, 4)], analysis.Bindings["stem.weight"].Select(b => (b.Group, b.Repeat, b.Offset)));
        Assert.Equal([("stem", 2, 0)], analysis.Bindings["b2.weight"].Where(b => b.Dim == 0).Select(b => (b.Group, b.Repeat, b.Offset)));
        Assert.Equal([("stem_2", 2, 0)], analysis.Bindings["b2.weight"].Where(b => b.Dim == 1).Select(b => (b.Group, b.Repeat, b.Offset)));
        Assert.Equal([("stem", 4, 0)], analysis.Bindings["head.weight"].Where(b => b.Dim == 1).Select(b => (b.Group, b.Repeat, b.Offset)));
    }

    [Fact]
    public void Shrunk_model_matches_the_masked_model_and_onnx_runtime()
    {
        var graph = Graph();
        using var source = new ZooModel(graph, GraphAnalysis.Of(graph).Architecture("shuffles"), 5);
        var kept = new Dictionary<string, int[]>(StringComparer.Ordinal) { ["stem"] = [1], ["stem_2"] = [0], ["stem_3"] = [0, 3], ["head"] = [2, 5] };
        using var pruned = MaskApplier.Shrink(source, kept);
        using var masked = MaskApplier.CloneMasked(source, kept);
        source.eval();
        pruned.eval();
        masked.eval();

        using (var scope = torch.NewDisposeScope())
        using (var guard = torch.no_grad())
        {
            var x = torch.randn(4, 3, 8, 8, generator: new torch.Generator(3));
            var a = pruned.call(x);
            Assert.True(a.allclose(masked.call(x), rtol: 1e-4, atol: 1e-5), $"max diff {a.sub(masked.call(x)).abs().max().item<float>()}");
            Assert.False(a.allclose(source.call(x), rtol: 1e-3, atol: 1e-4));
        }

        Assert.Equal((4, 2, 2), (pruned.Graph.Node("stem").OutChannels, pruned.Graph.Node("take").ChannelCount, pruned.Graph.Node("pass2").ChannelCount));
        var exported = Path.Combine(_dir, "shuffles.onnx");
        OnnxExporter.Export(pruned, exported);
        var data = TestSupport.SyntheticSplit(train: 16, validation: 32, test: 16, channels: 3, size: 8, classes: Classes).Validation;
        Assert.True(OnnxRuntimeCheck.Compare(exported, pruned, data, 32).MaxAbsDifference < 1e-4);
    }

    /// <summary>
    /// input 3x8x8 -> stem conv3x3 (8) + BN + ReLU -> channels 0..3 (pass1) | 4..7 -> b1 conv1x1 (4) + ReLU; Concat -> shuffle (2)
    /// -> channels 0..3 (pass2) | 4..7 -> b2 conv1x1 (4) + ReLU; Concat -> shuffle (2) -> head conv1x1 (6) -> GlobalAveragePool -> Flatten -> fc.
    /// </summary>
    private static ModelGraph Graph() => new("shuffles", "input", 3, 8,
    [
        new GraphNode("stem", GraphOp.Conv, ["input"], "stem") { OutChannels = 8, Kernel = 3, Padding = 1, Bias = false },
        new GraphNode("stem_bn", GraphOp.BatchNorm, ["stem"], "stem_bn"),
        new GraphNode("stem_relu", GraphOp.Relu, ["stem_bn"], "s"),
        new GraphNode("pass1", GraphOp.Slice, ["s"], "pass1") { ChannelStart = 0, ChannelCount = 4 },
        new GraphNode("take", GraphOp.Slice, ["s"], "take") { ChannelStart = 4, ChannelCount = 4 },
        new GraphNode("b1", GraphOp.Conv, ["take"], "b1") { OutChannels = 4 },
        new GraphNode("b1_relu", GraphOp.Relu, ["b1"], "y1"),
        new GraphNode("cat1", GraphOp.Concat, ["pass1", "y1"], "cat1"),
        new GraphNode("shuffle1", GraphOp.ChannelShuffle, ["cat1"], "u1") { Groups = 2 },
        new GraphNode("pass2", GraphOp.Slice, ["u1"], "pass2") { ChannelStart = 0, ChannelCount = 4 },
        new GraphNode("take2", GraphOp.Slice, ["u1"], "take2") { ChannelStart = 4, ChannelCount = 4 },
        new GraphNode("b2", GraphOp.Conv, ["take2"], "b2") { OutChannels = 4 },
        new GraphNode("b2_relu", GraphOp.Relu, ["b2"], "y2"),
        new GraphNode("cat2", GraphOp.Concat, ["pass2", "y2"], "cat2"),
        new GraphNode("shuffle2", GraphOp.ChannelShuffle, ["cat2"], "u2") { Groups = 2 },
        new GraphNode("head", GraphOp.Conv, ["u2"], "head") { OutChannels = 6 },
        new GraphNode("gap", GraphOp.GlobalAvgPool, ["head"], "gap"),
        new GraphNode("flat", GraphOp.Flatten, ["gap"], "flat"),
        new GraphNode("fc", GraphOp.Linear, ["flat"], "out") { OutChannels = Classes },
    ], "out");
}
