using global::Onnx;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.TestModels;
using PrunerCluster.Pruning.Tests.Graph;

namespace PrunerCluster.Pruning.Tests.Onnx.Shapes;

/// <summary>ReduceMean over H and W (keeping or dropping the axes) and Squeeze of a 1 x 1 map: global pooling and flatten as exporters also write them.</summary>
[Trait("Category", "Unit")]
public sealed class SpatialCollapseTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 4;
    private readonly string _dir = TestSupport.TempDirectory();

    public SpatialCollapseTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reduce_mean_imports_as_global_pooling_and_runs_pruned_and_exported_as_in_onnx_runtime(bool keepDims)
    {
        var path = TestGraphs.Write(Build(keepDims), _dir, $"mean-{keepDims}.onnx");
        using var model = OnnxImporter.Load(path);
        var data = TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;

        var report = OnnxRuntimeCheck.Compare(path, model, data, 64);
        using var pruned = MaskApplier.Shrink(model, new Dictionary<string, int[]> { ["c1"] = [1, 4], ["fc1"] = [0, 2, 3] });
        var exported = Path.Combine(_dir, $"pruned-{keepDims}.onnx");
        OnnxExporter.Export(pruned, exported);
        var again = OnnxRuntimeCheck.Compare(exported, pruned, data, 64);

        Assert.Contains(model.Graph.Nodes, n => n.Op == GraphOp.GlobalAvgPool);
        Assert.Equal(["c1", "fc1"], model.Architecture.Widths.Select(w => w.Group));
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.True(again.MaxAbsDifference < Tolerance, $"pruned and exported: logits differ by {again.MaxAbsDifference}");
    }

    [Fact]
    public void Squeeze_of_a_map_larger_than_one_by_one_is_refused_naming_node_op_and_opset()
    {
        var proto = Build(keepDims: true);
        proto.Graph.Node.First(n => n.Name == "squeeze").Input[0] = "c1_out";
        var path = TestGraphs.Write(proto, _dir, "bad.onnx");

        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(path));

        Assert.StartsWith("ONNX model 'bad' (opset 14):", e.Message, StringComparison.Ordinal);
        Assert.Contains("node 'squeeze' (op Squeeze) uses axes [2, 3] of a [6x16x16] value", e.Message, StringComparison.Ordinal);
    }

    /// <summary>input 3x16x16 -> c1 conv3x3 (6) + ReLU -> ReduceMean(2, 3) [-> Squeeze(2, 3) when the axes are kept] -> fc1 Gemm (5) + ReLU -> fc Gemm(classes).</summary>
    private static ModelProto Build(bool keepDims)
    {
        var g = new GraphProto { Name = "mean" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(12));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var x = b.Relu(b.Conv("c1", "image", 3, 6, 3, 1, 1, bias: true));
        var mean = b.Node("ReduceMean", "mean", [x], ("axes", new long[] { 2, 3 }), ("keepdims", keepDims ? 1L : 0L));
        var v = keepDims ? b.Node("Squeeze", "squeeze", [mean, SqueezeExcitationGraphs.Int64(g, "hw", 2, 3)]) : mean;
        var logits = b.Gemm("fc", b.Relu(b.Gemm("fc1", v, 6, 5)), 5, Classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }
}
