using global::Onnx;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.TestModels;

namespace PrunerCluster.Pruning.Tests.Graph.Dependency;

/// <summary>
/// A torchvision-style ResNet (stem, max pool, an identity block, a projection block) as imported: every convolution's output channels
/// are in a prunable group (the stem with the identity block's residual, the projection with its block's residual), so keeping half of
/// every group cuts the MACs more than three times (the stem's 3 input channels stay), and the pruned model agrees with ONNX Runtime.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ResidualGroupTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 5;
    private readonly string _dir = TestSupport.TempDirectory();

    public ResidualGroupTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Residual_channels_are_one_group_each_and_no_convolution_is_kept_whole()
    {
        var analysis = GraphAnalysis.Of(OnnxImporter.Read(Write()).Graph);
        var groups = analysis.Groups.ToDictionary(g => g.Name);

        Assert.Equal(["b1c1", "b2c1", "b2c2", "stem"], groups.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(GroupKinds.ResidualChannels, groups["stem"].Kind);
        Assert.Equal(["stem", "b1c2"], groups["stem"].Producers);
        Assert.Equal(["b1c1", "b2c1", "down"], groups["stem"].Consumers);
        Assert.Equal(["b2c2", "down"], groups["b2c2"].Producers);
        Assert.All(analysis.Graph.Nodes.Where(n => n.Op == GraphOp.Conv), n => Assert.True(analysis.Bindings[n.Name + ".weight"].Any(b => b.Produces), n.Name));
    }

    [Fact]
    public void Keeping_half_of_every_group_cuts_the_macs_more_than_twice_and_the_export_agrees_with_onnx_runtime()
    {
        using var source = OnnxImporter.Load(Write());
        var kept = PruningStructure.Analyze(source).ToDictionary(g => g.Name, g => Enumerable.Range(0, g.Units).Where(i => i % 2 == 1).ToArray(), StringComparer.Ordinal);
        using var pruned = MaskApplier.Shrink(source, kept);
        var exported = Path.Combine(_dir, "half.onnx");
        OnnxExporter.Export(pruned, exported);
        var data = TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;

        var report = OnnxRuntimeCheck.Compare(exported, pruned, data, 64);

        Assert.True(source.Macs >= 3 * pruned.Macs, $"{source.Macs} -> {pruned.Macs} MACs");
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
    }

    /// <summary>
    /// input 3x16x16 -> stem conv3x3 (16) + ReLU -> MaxPool 2 -> [b1c1 conv3x3 (16) + ReLU -> b1c2 conv3x3 (16)] + identity -> ReLU
    /// -> [b2c1 conv3x3 s2 (32) + ReLU -> b2c2 conv3x3 (32)] + down conv1x1 s2 (32) -> ReLU -> GlobalAveragePool -> Flatten -> fc Gemm(classes).
    /// </summary>
    private static ModelProto Build()
    {
        var g = new GraphProto { Name = "resnet" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(31));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var s = b.Node("MaxPool", "pool", [b.Relu(b.Conv("stem", "image", 3, 16, 3, 1, 1, bias: true))], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
        var h = b.Conv("b1c2", b.Relu(b.Conv("b1c1", s, 16, 16, 3, 1, 1, bias: true)), 16, 16, 3, 1, 1, bias: true);
        var r = b.Relu(b.Node("Add", "add1", [h, s]));
        var h2 = b.Conv("b2c2", b.Relu(b.Conv("b2c1", r, 16, 32, 3, 2, 1, bias: true)), 32, 32, 3, 1, 1, bias: true);
        var r2 = b.Relu(b.Node("Add", "add2", [h2, b.Conv("down", r, 16, 32, 1, 2, 0, bias: true)]));
        var logits = b.Gemm("fc", b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [r2])], ("axis", 1L)), 32, Classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }

    private string Write() => TestGraphs.Write(Build(), _dir, "resnet.onnx");
}
