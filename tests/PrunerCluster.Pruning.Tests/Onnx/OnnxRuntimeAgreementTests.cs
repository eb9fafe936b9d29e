using Google.Protobuf;
using global::Onnx;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;
using PrunerCluster.TestModels;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Onnx;

/// <summary>
/// TorchSharp's execution of an imported graph agrees with ONNX Runtime's to float32 precision: the original file, and pruned, fine-tuned
/// models exported again. (A Relu6 run through TorchSharp's hardtanh let negatives through and logits differed by up to 0.1.)
/// </summary>
[Trait("Category", "Slow")]
public sealed class OnnxRuntimeAgreementTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly string _dir = TestSupport.TempDirectory();

    public OnnxRuntimeAgreementTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Imported_graph_runs_in_torchsharp_as_in_onnx_runtime()
    {
        var path = Path.Combine(_dir, "branchy.onnx");
        File.WriteAllBytes(path, OnnxGraphs.Branchy(classes: 4, size: 16).ToByteArray());
        var split = TestSupport.SyntheticSplit(train: 64, validation: 64, test: 16, channels: 3, size: 16, classes: 4);
        using var model = OnnxImporter.Load(path);

        var report = OnnxRuntimeCheck.Compare(path, model, split.Validation, 64);
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
    }

    [Fact]
    public void Every_other_supported_activation_and_pooling_runs_as_in_onnx_runtime()
    {
        var path = Path.Combine(_dir, "ops.onnx");
        File.WriteAllBytes(path, OtherOps(classes: 5).ToByteArray());
        var split = TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: 5);
        using var model = OnnxImporter.Load(path);

        var report = OnnxRuntimeCheck.Compare(path, model, split.Validation, 64);
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
    }

    [Fact]
    public void Pooling_with_ceil_mode_has_the_onnx_output_sizes_and_runs_as_in_onnx_runtime_imported_and_exported_again()
    {
        var path = Path.Combine(_dir, "ceil.onnx");
        File.WriteAllBytes(path, CeilPools(classes: 3).ToByteArray());
        using var model = OnnxImporter.Load(path);

        // 16 -> 8 (floor would give 7); 8 -> 5 (pad 1); 5 -> 3: a fourth window would start in the right padding, so it is dropped;
        // 3 -> 2 likewise, with padding counted in the average.
        var shapes = model.Graph.InferShapes();
        Assert.Equal([8, 5, 3, 2], new[] { "max1_out", "avg1_out", "max2_out", "avg2_out" }.Select(v => shapes[v].Height));
        var split = TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: 3);
        var report = OnnxRuntimeCheck.Compare(path, model, split.Validation, 64);
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);

        var exported = Path.Combine(_dir, "ceil-exported.onnx");
        OnnxExporter.Export(model, exported);
        var again = OnnxRuntimeCheck.Compare(exported, model, split.Validation, 64);
        Assert.True(again.MaxAbsDifference < Tolerance, $"exported: logits differ by {again.MaxAbsDifference}");
    }

    [Fact]
    public void Pruned_and_fine_tuned_members_export_to_onnx_that_onnx_runtime_runs_with_the_same_logits()
    {
        var path = Path.Combine(_dir, "branchy.onnx");
        File.WriteAllBytes(path, OnnxGraphs.Branchy(classes: 4, size: 16).ToByteArray());
        var split = TestSupport.SyntheticSplit(train: 256, validation: 64, test: 16, channels: 3, size: 16, classes: 4);
        using var source = OnnxImporter.Load(path);
        var groups = PruningStructure.Analyze(source);
        var rng = new DeterministicRandom(11);
        for (var run = 0; run < 4; run++)
        {
            var kept = groups.ToDictionary(g => g.Name, g => rng.Permutation(g.Units).Take(1 + rng.NextInt(g.Units)).Order().ToArray(), StringComparer.Ordinal);
            using var pruned = MaskApplier.Shrink(source, kept);
            var outcome = Trainer.Train(pruned, split.Train, new FineTuneOptions { Steps = 10, BatchSize = 32, Seed = (ulong)run });
            Assert.False(outcome.Diverged, outcome.Reason);
            var exported = Path.Combine(_dir, $"pruned-{run}.onnx");
            OnnxExporter.Export(pruned, exported);

            var report = OnnxRuntimeCheck.Compare(exported, pruned, split.Validation, 64);
            var widths = string.Join(",", kept.Select(k => k.Value.Length));
            Assert.True(report.MaxAbsDifference < Tolerance, $"widths {widths}: logits differ by {report.MaxAbsDifference}");
            Assert.Equal(0, report.PredictionMismatches);
        }
    }

    /// <summary>
    /// input 3x16x16 -> conv(6) -> MaxPool 3 s2 ceil -> conv(6) -> AveragePool 3 s2 pad 1 ceil (padding not counted) -> MaxPool 2 s2 pad 1
    /// ceil -> AveragePool 2 s2 pad 1 ceil (padding counted) -> GlobalAveragePool -> Flatten -> Gemm(classes): SqueezeNet's pooling.
    /// </summary>
    private static ModelProto CeilPools(int classes)
    {
        var g = new GraphProto { Name = "ceil" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(9));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var m1 = b.Node("MaxPool", "max1", [b.Relu(b.Conv("c1", "image", 3, 6, 3, 1, 1, bias: true))], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("ceil_mode", 1L));
        var a1 = b.Node("AveragePool", "avg1", [b.Conv("c2", m1, 6, 6, 3, 1, 1, bias: true)], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }), ("ceil_mode", 1L), ("count_include_pad", 0L));
        var m2 = b.Node("MaxPool", "max2", [a1], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }), ("ceil_mode", 1L));
        var a2 = b.Node("AveragePool", "avg2", [m2], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }), ("ceil_mode", 1L), ("count_include_pad", 1L));
        var gap = b.Node("GlobalAveragePool", "gap", [a2]);
        var logits = b.Gemm("fc", b.Node("Flatten", "flat", [gap], ("axis", 1L)), 6, classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }

    /// <summary>
    /// input 3x16x16 -> conv(8) + Sigmoid -> MaxPool 2 -> conv(8) + BN + Clip(min 0 only) -> Mul(sigmoid branch pooled) -> conv(6) + Clip(max 1
    /// only) -> LeakyRelu -> GlobalAveragePool -> Flatten -> Gemm(classes) -> Softmax.
    /// </summary>
    private static ModelProto OtherOps(int classes)
    {
        var g = new GraphProto { Name = "ops" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(8));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var s = b.Node("Sigmoid", "sig", [b.Conv("c1", "image", 3, 8, 3, 1, 1, bias: true)]);
        var p = b.Node("MaxPool", "pool", [s], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
        var c = b.Node("Clip", "floor", [b.Bn("bn2", b.Conv("c2", p, 8, 8, 3, 1, 1, bias: false), 8), b.Scalar("zero", 0f)]);
        var m = b.Node("Mul", "gate", [c, p]);
        var d = b.Node("Clip", "ceiling", [b.Conv("c3", m, 8, 6, 3, 1, 1, bias: true), "", b.Scalar("one", 1f)]);
        var l = b.Node("LeakyRelu", "leaky", [d], ("alpha", 0.2f));
        var gap = b.Node("GlobalAveragePool", "gap", [l]);
        var logits = b.Node("Softmax", "softmax", [b.Gemm("fc", b.Node("Flatten", "flat", [gap], ("axis", 1L)), 6, classes)], ("axis", 1L));
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }
}
