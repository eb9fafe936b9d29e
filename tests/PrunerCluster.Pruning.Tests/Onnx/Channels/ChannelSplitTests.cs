using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.TestModels;
using PrunerCluster.Pruning.Tests.Graph;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Onnx.Channels;

/// <summary>
/// Split and Slice on the channel axis: each part of the cut tensor's channels is a group of its own, pruning a part moves the slices'
/// bounds, and the pruned model runs and exports as ONNX Runtime runs it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ChannelSplitTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 3;
    private static readonly Dictionary<string, int[]> Kept = new(StringComparer.Ordinal)
    {
        ["stem"] = [1],
        ["stem_2"] = [0, 1],
        ["stem_3"] = [0, 3],
        ["b1"] = [2],
        ["b2"] = [0, 2, 3],
        ["c"] = [0, 4],
    };

    private readonly string _dir = TestSupport.TempDirectory();

    public ChannelSplitTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_stem_is_cut_into_one_group_per_part_that_the_split_and_the_slice_separate(bool splitSizes)
    {
        var analysis = GraphAnalysis.Of(OnnxImporter.Read(Write(splitSizes)).Graph);
        var groups = analysis.Groups.ToDictionary(g => g.Name);

        Assert.Equal([("b1", 4), ("b2", 4), ("c", 5), ("stem", 2), ("stem_2", 2), ("stem_3", 4)], groups.Values.Select(g => (g.Name, g.Units)).OrderBy(g => g.Name, StringComparer.Ordinal));
        Assert.Equal([("stem", 0), ("stem_2", 2), ("stem_3", 4)], analysis.Bindings["stem.weight"].Select(b => (b.Group, b.Offset)));
        Assert.Equal(["b1"], groups["stem_3"].Consumers);
        Assert.Equal(["c"], groups["stem_2"].Consumers);
        Assert.Equal([("stem_2", 0), ("b2", 2)], analysis.Bindings["c.weight"].Where(b => b.Dim == 1).Select(b => (b.Group, b.Offset)));
    }

    [Fact]
    public void Imported_graph_runs_as_in_onnx_runtime()
    {
        var path = Write(splitSizes: false);
        using var model = OnnxImporter.Load(path);

        var report = OnnxRuntimeCheck.Compare(path, model, Data(), 64);

        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
    }

    [Fact]
    public void Pruning_the_parts_moves_the_slice_bounds_and_removes_the_channels_from_every_reader()
    {
        using var source = OnnxImporter.Load(Write());
        using var pruned = MaskApplier.Shrink(source, Kept);
        var state = pruned.state_dict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var before = source.state_dict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        using var scope = torch.NewDisposeScope();

        Assert.Equal([(0, 3), (3, 2), (1, 5)], new[] { "split_0", "split_1", "tail" }.Select(n => (pruned.Graph.Node(n).ChannelStart, pruned.Graph.Node(n).ChannelCount)));
        Assert.True(state["stem.weight"].allclose(before["stem.weight"].index_select(0, torch.tensor(new long[] { 1, 2, 3, 4, 7 })), rtol: 0, atol: 0));
        Assert.True(state["b1.weight"].allclose(before["b1.weight"].index_select(0, torch.tensor(new long[] { 2 })).index_select(1, torch.tensor(new long[] { 0, 3 })), rtol: 0, atol: 0));
        Assert.True(state["c.weight"].allclose(before["c.weight"].index_select(0, torch.tensor(new long[] { 0, 4 })).index_select(1, torch.tensor(new long[] { 0, 1, 2, 4, 5 })), rtol: 0, atol: 0));
        Assert.Equal(Macs(8, 4, 4, 4, 2, 5), source.Macs);
        Assert.Equal(Macs(5, 2, 1, 3, 2, 2), pruned.Macs);
    }

    [Fact]
    public void Pruned_model_exports_to_onnx_that_onnx_runtime_runs_with_the_same_logits()
    {
        using var source = OnnxImporter.Load(Write());
        using var pruned = MaskApplier.Shrink(source, Kept);
        var exported = Path.Combine(_dir, "pruned.onnx");
        OnnxExporter.Export(pruned, exported);

        var report = OnnxRuntimeCheck.Compare(exported, pruned, Data(), 64);

        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
    }

    [Fact]
    public void A_split_along_another_axis_is_refused_naming_node_op_and_opset()
    {
        var proto = ChannelSplitGraphs.Build(Classes);
        proto.Graph.Node.First(n => n.Name == "split").Attribute[0].I = 2;
        var path = TestGraphs.Write(proto, _dir, "axis.onnx");

        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(path));

        Assert.StartsWith("ONNX model 'axis' (opset 14):", e.Message, StringComparison.Ordinal);
        Assert.Contains("node 'split' (op Split) uses axis = 2 (only the channel axis, 1)", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Per sample over 16x16: stem 3x3 from 3 channels, b1 1x1 on the second part, the depthwise 3x3, b2 1x1, c 1x1 on the slice, fc.</summary>
    private static long Macs(int stem, int part2, int b1, int b2, int kept1, int c) =>
        (stem * 256L * 27) + (b1 * 256L * part2) + (b1 * 256L * 9) + (b2 * 256L * b1) + (c * 256L * (kept1 + b2)) + (c * (long)Classes);

    private static PrunerCluster.Pruning.Data.ImageDataset Data() =>
        TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;

    private string Write(bool splitSizes = true) => TestGraphs.Write(ChannelSplitGraphs.Build(Classes, splitSizes), _dir, splitSizes ? "split.onnx" : "equal.onnx");
}
