using global::Onnx;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Tests.Graph;
using PrunerCluster.TestModels;

namespace PrunerCluster.Pruning.Tests.Onnx.Exporters;

/// <summary>
/// Inception's factorised convolutions: a 1 x 7 then a 7 x 1 kernel, each padded on its long axis so the map stays square. They
/// import, count their MACs by both kernel sides (and the latency table times them so), prune and export as ONNX Runtime runs them; a padding that makes the map
/// non-square is refused naming the node.
/// </summary>
[Trait("Category", "Unit")]
public sealed class FactorisedConvolutionTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 4;
    private readonly string _dir = TestSupport.TempDirectory();

    public FactorisedConvolutionTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Factorised_kernels_import_with_their_macs_and_run_as_in_onnx_runtime()
    {
        var path = TestGraphs.Write(Build(), _dir, "factorised.onnx");
        using var model = OnnxImporter.Load(path);

        var report = OnnxRuntimeCheck.Compare(path, model, Data(), 64);

        Assert.Equal((1, 7, 0, 3), Window(model.Graph.Node("wide")));
        Assert.Equal((7, 1, 3, 0), Window(model.Graph.Node("tall")));
        Assert.Equal(6L * 256 * 8 * 7, model.Layers.Single(l => l.Name == "wide").Macs);
        Assert.Equal((6L * 8 * 7) + 6, model.Layers.Single(l => l.Name == "wide").Parameters);
        Assert.Equal((1, 7, 0, 3), LatencyKey(model.Layers.Single(l => l.Name == "wide")));
        Assert.Equal((7, 1, 3, 0), LatencyKey(model.Layers.Single(l => l.Name == "tall")));
        Assert.Equal(["c1", "wide", "tall", "side"], model.Architecture.Widths.Select(w => w.Group));
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
    }

    [Fact]
    public void Pruned_factorised_model_exports_to_onnx_that_onnx_runtime_runs_with_the_same_logits()
    {
        using var source = OnnxImporter.Load(TestGraphs.Write(Build(), _dir, "factorised.onnx"));
        using var pruned = MaskApplier.Shrink(source, new Dictionary<string, int[]> { ["c1"] = [0, 2, 5, 7], ["wide"] = [1, 4], ["tall"] = [0, 3, 5], ["side"] = [2] });
        var exported = Path.Combine(_dir, "pruned.onnx");
        OnnxExporter.Export(pruned, exported);

        var report = OnnxRuntimeCheck.Compare(exported, pruned, Data(), 64);

        Assert.Equal(2L * 256 * 4 * 7, pruned.Layers.Single(l => l.Name == "wide").Macs);
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
    }

    [Fact]
    public void A_kernel_whose_padding_makes_the_map_non_square_is_refused_naming_the_node()
    {
        var proto = Build();
        var pads = proto.Graph.Node.Single(n => n.Name == "wide").Attribute.Single(a => a.Name == "pads");
        pads.Ints.Clear();
        pads.Ints.AddRange([0, 0, 0, 0]);
        var path = TestGraphs.Write(proto, _dir, "narrowing.onnx");

        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(path));

        Assert.Contains("Node 'wide' (Conv) with kernel 1x7 and padding 0, 0 turns its [8x16x16] input into a 16x10 map; only square feature maps are supported", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// input 3x16x16 -> c1 conv3x3 (8) + ReLU -> [wide conv 1x7 pads (0, 3) (6) + ReLU -> tall conv 7x1 pads (3, 0) (6) + ReLU | side conv1x1 (3) + ReLU]
    /// -> Concat (9) -> GlobalAveragePool -> Flatten -> fc Gemm(classes).
    /// </summary>
    private static ModelProto Build()
    {
        var g = new GraphProto { Name = "factorised" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(23));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var x = b.Relu(b.Conv("c1", "image", 3, 8, 3, 1, 1, bias: true));
        var y = b.Relu(Factorised(g, b, "wide", x, 8, 6, 1, 7));
        y = b.Relu(Factorised(g, b, "tall", y, 6, 6, 7, 1));
        var side = b.Relu(b.Conv("side", x, 8, 3, 1, 1, 0, bias: true));
        var cat = b.Node("Concat", "cat", [y, side], ("axis", 1L));
        var flat = b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [cat])], ("axis", 1L));
        var logits = b.Gemm("fc", flat, 9, Classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }

    private static string Factorised(GraphProto g, OnnxGraphs.ProtoBuilder b, string name, string x, int cin, int cout, int kh, int kw)
    {
        var rng = new Random(name.Length * 31);
        var weight = b.Init(name + ".w", Enumerable.Range(0, cout * cin * kh * kw).Select(_ => (float)((rng.NextDouble() - 0.5) * 0.5)).ToArray(), cout, cin, kh, kw);
        var bias = b.Init(name + ".b", Enumerable.Range(0, cout).Select(i => 0.01f * i).ToArray(), cout);
        return b.Node("Conv", name, [x, weight, bias], ("kernel_shape", new long[] { kh, kw }), ("pads", new long[] { kh / 2, kw / 2, kh / 2, kw / 2 }));
    }

    private static (int, int, int, int) Window(GraphNode n) => (n.Kernel, n.KernelW, n.Padding, n.PaddingW);

    /// <summary>What the per-layer latency table times the layer as.</summary>
    private static (int, int, int, int) LatencyKey(PrunerCluster.Pruning.Models.LayerDesc layer)
    {
        var shape = PrunerCluster.Pruning.Metrics.LayerShape.Of(layer);
        return (shape.Kernel, shape.KernelWidth, shape.Padding, shape.PaddingWidth);
    }

    private static PrunerCluster.Pruning.Data.ImageDataset Data() =>
        TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;
}
