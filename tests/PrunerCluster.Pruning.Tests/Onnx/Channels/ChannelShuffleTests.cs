using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.TestModels;
using PrunerCluster.Pruning.Tests.Graph;

namespace PrunerCluster.Pruning.Tests.Onnx.Channels;

/// <summary>
/// Shape arithmetic folded for the fixed input size and a channel shuffle (Reshape, Transpose, Reshape) read as one node: imported, run
/// and exported as ONNX Runtime runs them; channel i of the pass-through half and of the branch's output are one unit (output channels
/// 2i and 2i + 1 of the shuffle), so the shuffled channels are pruned with the stem's other half, the branch and the head.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ChannelShuffleTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 3;
    private static readonly Dictionary<string, int[]> Kept = new(StringComparer.Ordinal)
    {
        ["stem"] = [0, 3],
        ["stem_2"] = [1, 2, 3],
        ["b1"] = [1, 2, 5],
        ["c"] = [0, 1, 4],
    };

    private readonly string _dir = TestSupport.TempDirectory();

    public ChannelShuffleTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Shape_arithmetic_folds_to_a_channel_shuffle_and_a_flatten_and_the_shuffled_channels_are_pruned_in_pairs()
    {
        var graph = OnnxImporter.Read(Write()).Graph;
        var analysis = GraphAnalysis.Of(graph);
        var groups = analysis.Groups;

        Assert.Equal(2, graph.Node("shuffled").Groups);
        Assert.Equal(GraphOp.ChannelShuffle, graph.Node("shuffled").Op);
        Assert.Equal(GraphOp.Flatten, graph.Node("flat").Op);
        Assert.Equal([("stem", 4), ("stem_2", 4), ("b1", 6), ("c", 5)], groups.Select(g => (g.Name, g.Units)));
        Assert.Equal(["stem", "b2"], groups[0].Producers);
        Assert.Equal(["c"], groups[0].Consumers);
        Assert.Equal(["b1"], groups[1].Consumers);
        Assert.Equal([("stem", 2, 0)], analysis.Bindings["c.weight"].Where(b => b.Dim == 1).Select(b => (b.Group, b.Repeat, b.Offset)));
    }

    [Fact]
    public void Imported_graph_runs_as_in_onnx_runtime()
    {
        var path = Write();
        using var model = OnnxImporter.Load(path);

        var report = OnnxRuntimeCheck.Compare(path, model, Data(), 64);

        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
    }

    [Fact]
    public void Pruned_model_has_the_expected_macs_and_exports_to_onnx_that_onnx_runtime_runs_with_the_same_logits()
    {
        using var source = OnnxImporter.Load(Write());
        using var pruned = MaskApplier.Shrink(source, Kept);
        var exported = Path.Combine(_dir, "pruned.onnx");
        OnnxExporter.Export(pruned, exported);

        var report = OnnxRuntimeCheck.Compare(exported, pruned, Data(), 64);

        Assert.Equal(Macs(4, 4, 6, 5), source.Macs);
        Assert.Equal(Macs(2, 3, 3, 3), pruned.Macs);
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
        Assert.Equal(GraphOp.ChannelShuffle, OnnxImporter.Read(exported).Graph.Node("shuffled").Op);
    }

    [Fact]
    public void Another_transpose_is_refused_naming_node_op_and_opset()
    {
        var proto = ChannelShuffleGraphs.Build(Classes);
        proto.Graph.Node.First(n => n.Name == "swap").Attribute[0].Ints[3] = 4;
        proto.Graph.Node.First(n => n.Name == "swap").Attribute[0].Ints[4] = 3;
        var path = TestGraphs.Write(proto, _dir, "perm.onnx");

        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(path));

        Assert.StartsWith("ONNX model 'perm' (opset 14):", e.Message, StringComparison.Ordinal);
        Assert.Contains("node 'swap' (op Transpose) uses Transpose with perm [0, 2, 1, 4, 3]", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Per sample over 16x16: stem 3x3 (its pass-through and branch parts), b1 1x1, b2 1x1 (as wide as the pass-through part), c 1x1 on both shuffled, fc.</summary>
    private static long Macs(int shuffled, int part, int b1, int c) =>
        ((shuffled + part) * 256L * 27) + (b1 * 256L * part) + (shuffled * 256L * b1) + (c * 256L * 2 * shuffled) + (c * (long)Classes);

    private static PrunerCluster.Pruning.Data.ImageDataset Data() =>
        TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;

    private string Write() => TestGraphs.Write(ChannelShuffleGraphs.Build(Classes), _dir, "shuffle.onnx");
}
