using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Tests.Graph;
using PrunerCluster.TestModels;

namespace PrunerCluster.Pruning.Tests.Onnx.Exporters;

/// <summary>
/// Pad nodes as torch.onnx writes them before an AveragePool (DenseNet's transitions pad by zero, Inception's branch pools by one): zero
/// pads pass through, zero padding folds into the AveragePool or Conv that reads it, and anything else is refused naming the node.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ZeroPadTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 4;
    private readonly string _dir = TestSupport.TempDirectory();

    public ZeroPadTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Pads_fold_into_the_pool_and_the_conv_after_them_and_run_as_in_onnx_runtime()
    {
        var path = TestGraphs.Write(TorchExportGraphs.Padded(Classes), _dir, "padded.onnx");
        using var model = OnnxImporter.Load(path);

        var report = OnnxRuntimeCheck.Compare(path, model, Data(), 64);

        Assert.Equal([(0, false), (1, true)], model.Graph.Nodes.Where(n => n.Op == GraphOp.AvgPool).Select(n => (n.Padding, n.CountIncludePad)));
        Assert.Equal(1, model.Graph.Node("c3").Padding);
        Assert.Equal(["c1", "c2", "c3"], model.Architecture.Widths.Select(w => w.Group));
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
    }

    [Fact]
    public void Pruned_padded_model_exports_to_onnx_that_onnx_runtime_runs_with_the_same_logits()
    {
        using var source = OnnxImporter.Load(TestGraphs.Write(TorchExportGraphs.Padded(Classes), _dir, "padded.onnx"));
        using var pruned = MaskApplier.Shrink(source, new Dictionary<string, int[]> { ["c1"] = [0, 3, 5], ["c2"] = [1, 2, 6, 7], ["c3"] = [2, 4] });
        var exported = Path.Combine(_dir, "pruned.onnx");
        OnnxExporter.Export(pruned, exported);

        var report = OnnxRuntimeCheck.Compare(exported, pruned, Data(), 64);

        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
    }

    [Fact]
    public void Pads_that_cannot_be_folded_are_all_refused_in_one_message_naming_each_node()
    {
        var proto = TorchExportGraphs.Padded(Classes);
        var g = proto.Graph;
        g.Node.Single(n => n.Name == "branch_pool").OpType = "MaxPool";
        var reflect = g.Node.Single(n => n.Name == "pad0");
        reflect.Attribute.Add(new global::Onnx.AttributeProto { Name = "mode", Type = global::Onnx.AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("reflect") });
        var c3 = g.Node.Single(n => n.Name == "c3");
        g.Node.Insert(g.Node.IndexOf(c3), new global::Onnx.NodeProto { OpType = "Relu", Name = "relu_pad", Input = { "pad2_out" }, Output = { "relu_pad_out" } });
        c3.Input[0] = "relu_pad_out";
        var path = TestGraphs.Write(proto, _dir, "bad.onnx");

        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(path));

        Assert.StartsWith("ONNX model 'bad' (opset 14): 3 nodes cannot be imported", e.Message, StringComparison.Ordinal);
        Assert.Contains("node 'pad0' (op Pad) uses mode = reflect (only constant zero padding)", e.Message, StringComparison.Ordinal);
        Assert.Contains("node 'branch_pool' (op MaxPool) uses a zero Pad before it that cannot be folded", e.Message, StringComparison.Ordinal);
        Assert.Contains("'relu_pad' (Relu): input 0 ('pad2_out') is the output of a non-zero Pad; only a Conv or an AveragePool may read one", e.Message, StringComparison.Ordinal);
    }

    private static PrunerCluster.Pruning.Data.ImageDataset Data() =>
        TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;
}
