using global::Onnx;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.TestModels;
using PrunerCluster.Pruning.Tests.Graph;

namespace PrunerCluster.Pruning.Tests.Onnx.Elementwise;

/// <summary>
/// Activations that exporters write as small graphs: HardSwish as x * Clip(x + 3, 0, 6) / 6, Swish/SiLU as x * Sigmoid(x), HardSigmoid
/// with ONNX's default alpha and beta, a scalar divided by a tensor; each imported, pruned and exported as ONNX Runtime runs it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ActivationGraphTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 3;
    private readonly string _dir = TestSupport.TempDirectory();

    public ActivationGraphTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Decomposed_activations_run_as_in_onnx_runtime_imported_pruned_and_exported()
    {
        var path = TestGraphs.Write(Build(), _dir, "activations.onnx");
        using var model = OnnxImporter.Load(path);
        var data = TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;
        var report = OnnxRuntimeCheck.Compare(path, model, data, 64);
        using var pruned = MaskApplier.Shrink(model, new Dictionary<string, int[]> { ["c1"] = [0, 5], ["c2"] = [1, 2, 3] });
        var exported = Path.Combine(_dir, "pruned.onnx");
        OnnxExporter.Export(pruned, exported);

        var again = OnnxRuntimeCheck.Compare(exported, pruned, data, 64);

        Assert.Equal(["c1", "c2"], model.Architecture.Widths.Select(w => w.Group));
        Assert.Equal((0.2f, 0.5f), ((float)model.Graph.Node("hsig").Alpha, (float)model.Graph.Node("hsig").Beta));
        Assert.True(model.Graph.Node("inverse").ScalarFirst);
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.True(again.MaxAbsDifference < Tolerance, $"pruned and exported: logits differ by {again.MaxAbsDifference}");
    }

    /// <summary>
    /// input 3x16x16 -> c1 conv3x3 (6) -> HardSwish as x * Clip(x + 3, 0, 6) / 6 -> c2 conv3x3 (4) -> Swish (x * Sigmoid(x)) -> HardSigmoid
    /// (defaults) -> 1 / (1 + y) -> GlobalAveragePool -> Flatten -> fc Gemm(classes).
    /// </summary>
    private static ModelProto Build()
    {
        var g = new GraphProto { Name = "activations" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(41));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var x = b.Conv("c1", "image", 3, 6, 3, 1, 1, bias: true);
        var relu6 = b.Node("Clip", "relu6", [b.Node("Add", "plus3", [x, b.Scalar("three", 3f)]), b.Scalar("zero", 0f), b.Scalar("six", 6f)]);
        x = b.Node("Div", "sixth", [b.Node("Mul", "hswish", [x, relu6]), b.Scalar("six_d", 6f)]);
        var y = b.Conv("c2", x, 6, 4, 3, 1, 1, bias: true);
        y = b.Node("HardSigmoid", "hsig", [b.Node("Mul", "swish", [y, b.Node("Sigmoid", "sig", [y])])]);
        y = b.Node("Div", "inverse", [b.Scalar("one", 1f), b.Node("Add", "plus1", [y, b.Scalar("one_a", 1f)])]);
        var logits = b.Gemm("fc", b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [y])], ("axis", 1L)), 4, Classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }
}
