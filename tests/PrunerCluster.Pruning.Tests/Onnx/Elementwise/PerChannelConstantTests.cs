using global::Onnx;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.TestModels;
using PrunerCluster.Pruning.Tests.Graph;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Onnx.Elementwise;

/// <summary>
/// Per-channel constant operands of Add/Sub/Mul/Div (input normalisation inside the graph, a layer scale, a per-feature scale):
/// imported, run as ONNX Runtime runs them, sliced with their channels' group when pruned, and exported again.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PerChannelConstantTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 4;
    private static readonly Dictionary<string, int[]> Kept = new(StringComparer.Ordinal) { ["c1"] = [0, 3, 4, 7], ["c2"] = [1, 2, 5] };
    private readonly string _dir = TestSupport.TempDirectory();

    public PerChannelConstantTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Imported_graph_runs_as_in_onnx_runtime()
    {
        var path = Write();
        using var model = OnnxImporter.Load(path);

        var report = OnnxRuntimeCheck.Compare(path, model, Data(), 64);

        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
    }

    [Fact]
    public void Pruning_slices_the_constants_with_their_channels_and_the_export_agrees_with_onnx_runtime()
    {
        using var source = OnnxImporter.Load(Write());
        using var pruned = MaskApplier.Shrink(source, Kept);
        var exported = Path.Combine(_dir, "pruned.onnx");
        OnnxExporter.Export(pruned, exported);
        var before = source.state_dict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var after = pruned.state_dict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        using var scope = torch.NewDisposeScope();

        var report = OnnxRuntimeCheck.Compare(exported, pruned, Data(), 64);

        foreach (var (tensor, group) in new[] { ("scale.weight", "c1"), ("shift.weight", "c1"), ("flip.weight", "c1"), ("feature.weight", "c2") })
        {
            Assert.True(after[tensor].allclose(before[tensor].index_select(0, torch.tensor(Kept[group].Select(i => (long)i).ToArray())), rtol: 0, atol: 0), tensor);
        }

        Assert.True(after["centre.weight"].allclose(before["centre.weight"], rtol: 0, atol: 0));
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
    }

    /// <summary>
    /// input 3x16x16 -> Sub mean (1x3x1x1) -> Div std (1x3x1x1) -> c1 conv3x3 (8) + ReLU -> Mul scale (1x8x1x1) -> Add shift (8x1x1)
    /// -> (1x8x1x1) - x -> c2 conv3x3 s2 (6) + ReLU -> GlobalAveragePool -> Flatten -> Mul per-feature (1x6) -> fc Gemm(classes).
    /// </summary>
    private static ModelProto Build()
    {
        var g = new GraphProto { Name = "per-channel" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(21));
        var rng = new Random(22);
        float[] Values(int n, double low, double high) => Enumerable.Range(0, n).Select(_ => (float)(low + ((high - low) * rng.NextDouble()))).ToArray();
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var x = b.Node("Div", "spread", [b.Node("Sub", "centre", ["image", b.Init("mean", Values(3, -0.5, 0.5), 1, 3, 1, 1)]), b.Init("std", Values(3, 0.5, 1.5), 1, 3, 1, 1)]);
        x = b.Relu(b.Conv("c1", x, 3, 8, 3, 1, 1, bias: true));
        x = b.Node("Mul", "scale", [x, b.Init("gamma", Values(8, 0.5, 1.5), 1, 8, 1, 1)]);
        x = b.Node("Add", "shift", [b.Init("beta", Values(8, -0.2, 0.2), 8, 1, 1), x]);
        x = b.Node("Sub", "flip", [b.Init("level", Values(8, 0, 1), 1, 8, 1, 1), x]);
        var v = b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [b.Relu(b.Conv("c2", x, 8, 6, 3, 2, 1, bias: true))])], ("axis", 1L));
        var logits = b.Gemm("fc", b.Node("Mul", "feature", [v, b.Init("w6", Values(6, 0.5, 1.5), 1, 6)]), 6, Classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }

    private static PrunerCluster.Pruning.Data.ImageDataset Data() =>
        TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;

    private string Write() => TestGraphs.Write(Build(), _dir, "per-channel.onnx");
}
