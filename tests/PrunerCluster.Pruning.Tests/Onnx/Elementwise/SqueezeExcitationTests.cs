using global::Onnx;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Tests.Graph;
using PrunerCluster.TestModels;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Onnx.Elementwise;

/// <summary>
/// Squeeze-and-excitation (conv and Gemm gates), broadcast Mul, Sub/Div with scalars on either side, HardSigmoid and Swish: imported,
/// run as ONNX Runtime runs them, pruned with the gate's channels following the gated map's group, and exported again.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SqueezeExcitationTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 5;
    private static readonly Dictionary<string, int[]> Kept = new(StringComparer.Ordinal)
    {
        ["c1"] = [0, 2, 3, 5, 7],
        ["se_reduce"] = [1, 3],
        ["proj"] = [0, 1, 4, 5],
        ["se2_reduce"] = [0, 2],
    };

    private readonly string _dir = TestSupport.TempDirectory();

    public SqueezeExcitationTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_excitation_outputs_join_the_gated_maps_group_and_the_hidden_widths_are_groups_of_their_own()
    {
        var groups = GraphAnalysis.Of(OnnxImporter.Read(Write()).Graph).Groups.ToDictionary(g => g.Name);

        Assert.Equal(["c1", "proj", "se2_reduce", "se_reduce"], groups.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["c1", "c1_bn", "dw", "se_expand"], groups["c1"].Producers);
        Assert.Equal(["se_reduce", "proj"], groups["c1"].Consumers.Where(c => c != "dw"));
        Assert.Equal(GroupKinds.ResidualChannels, groups["c1"].Kind);
        Assert.Equal(["proj", "se2_expand"], groups["proj"].Producers);
        Assert.Equal(["se2_reduce", "fc"], groups["proj"].Consumers);
        Assert.Equal((4, "se_expand"), (groups["se_reduce"].Units, groups["se_reduce"].Consumers.Single()));
        Assert.Equal((3, "se2_expand"), (groups["se2_reduce"].Units, groups["se2_reduce"].Consumers.Single()));
    }

    [Fact]
    public void Imported_graph_runs_as_in_onnx_runtime()
    {
        var path = Write();
        using var model = OnnxImporter.Load(path);

        var report = OnnxRuntimeCheck.Compare(path, model, Data(), 64);

        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
    }

    [Fact]
    public void Pruning_removes_each_kept_channel_from_every_member_and_the_macs_follow()
    {
        using var source = OnnxImporter.Load(Write());
        using var pruned = MaskApplier.Shrink(source, Kept);
        var before = State(source);
        var after = State(pruned);

        using var scope = torch.NewDisposeScope();
        foreach (var (tensor, slices) in new (string, (int Dim, string Group)[])[]
        {
            ("c1.weight", [(0, "c1")]), ("c1_bn.running_mean", [(0, "c1")]), ("dw.weight", [(0, "c1")]), ("dw.bias", [(0, "c1")]),
            ("se_reduce.weight", [(0, "se_reduce"), (1, "c1")]), ("se_reduce.bias", [(0, "se_reduce")]),
            ("se_expand.weight", [(0, "c1"), (1, "se_reduce")]), ("se_expand.bias", [(0, "c1")]),
            ("proj.weight", [(0, "proj"), (1, "c1")]), ("se2_reduce.weight", [(0, "se2_reduce"), (1, "proj")]),
            ("se2_expand.weight", [(0, "proj"), (1, "se2_reduce")]), ("se2_expand.bias", [(0, "proj")]), ("fc.weight", [(1, "proj")]),
        })
        {
            var expected = slices.Aggregate(before[tensor], (t, s) => t.index_select(s.Dim, torch.tensor(Kept[s.Group].Select(i => (long)i).ToArray())));
            Assert.True(after[tensor].allclose(expected, rtol: 0, atol: 0), $"{tensor} does not keep the channels {string.Join(", ", slices)}");
        }

        Assert.Equal(Macs(8, 4, 6, 3), source.Macs);
        Assert.Equal(Macs(5, 2, 4, 2), pruned.Macs);
        using var x = torch.randn(2, 3, 16, 16, generator: new torch.Generator(5));
        using var y = pruned.call(x);
        Assert.Equal([2L, Classes], y.shape);
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
        Assert.Equal(GraphOp.Unflatten, OnnxImporter.Read(exported).Graph.Node("se2_unsqueeze").Op);
    }

    [Fact]
    public void L1_importance_of_the_gated_group_sums_the_excitation_rows_with_the_other_producers()
    {
        using var model = OnnxImporter.Load(Write());
        var scores = Importance.Scores(model, ImportanceCriterion.L1)["c1"];
        var state = State(model);
        using var scope = torch.NewDisposeScope();

        double Row(string tensor, int i) => state[tensor][i].abs().sum().item<float>();
        var expected = Enumerable.Range(0, 8).Select(i => Row("c1.weight", i) + Row("dw.weight", i) + Row("se_expand.weight", i)).ToArray();

        Assert.Equal(expected, scores, (a, b) => Math.Abs(a - b) < 1e-4);
    }

    [Fact]
    public void A_constant_operand_that_is_not_per_channel_is_refused_naming_node_op_and_opset()
    {
        var proto = SqueezeExcitationGraphs.Build(Classes);
        var b = new OnnxGraphs.ProtoBuilder(proto.Graph, new Random(1));
        proto.Graph.Node.First(n => n.Name == "se_mul").Input[1] = b.Init("scale", new float[16], 1, 8, 2, 1);
        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(TestGraphs.Write(proto, _dir, "const.onnx")));

        Assert.StartsWith("ONNX model 'const' (opset 14): 1 node cannot be imported", e.Message, StringComparison.Ordinal);
        Assert.Contains("node 'se_mul' (op Mul) uses a constant operand of shape [1, 8, 2, 1] with a [8x16x16] tensor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Operands_that_do_not_broadcast_per_channel_are_refused_naming_the_node()
    {
        var proto = SqueezeExcitationGraphs.Build(Classes);
        proto.Graph.Node.First(n => n.Name == "se_mul").Input[1] = "se_gap_out";
        proto.Graph.Node.First(n => n.Name == "se_mul").Input[0] = "se_reduce_out";
        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(TestGraphs.Write(proto, _dir, "bad.onnx")));

        Assert.Contains("Node 'se_mul' (Mul) combines inputs of different shapes [4x1x1], [8x1x1]", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Per sample: c1 3x3 and the depthwise 3x3 over 16x16, the 1x1 gate convs, proj 1x1, the Gemm gate and the classifier.</summary>
    private static long Macs(int c, int hidden, int p, int hidden2) =>
        (c * 256L * 3 * 9) + (c * 256L * 9) + (2L * c * hidden) + (p * 256L * c) + (2L * p * hidden2) + (p * (long)Classes);

    private static Dictionary<string, torch.Tensor> State(ZooModel model) =>
        model.state_dict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static PrunerCluster.Pruning.Data.ImageDataset Data() =>
        TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;

    private string Write() => TestGraphs.Write(SqueezeExcitationGraphs.Build(Classes), _dir, "se.onnx");
}
