using global::Onnx;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.TestModels;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Graph.Dependency;

/// <summary>
/// Grouped convolutions pruned group by group (DepGraph): one unit is one conv group with its input channels (from the stem and its
/// BatchNorm) and its output channels (and the squeeze-and-excitation gate tied to them, the next grouped convolution's groups and the
/// head's inputs); the shrunk model has fewer groups, matches the masked model and ONNX Runtime; an input that cannot be cut at group
/// boundaries keeps both sides whole.
/// </summary>
[Trait("Category", "Unit")]
public sealed class GroupedConvolutionTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 3;
    private static readonly Dictionary<string, int[]> Kept = new(StringComparer.Ordinal)
    {
        ["stem"] = [0, 2],
        ["se_reduce"] = [1],
        ["head"] = [1, 3, 4],
    };

    private readonly string _dir = TestSupport.TempDirectory();

    public GroupedConvolutionTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Each_conv_group_is_one_unit_of_a_group_that_holds_its_inputs_and_outputs()
    {
        var analysis = GraphAnalysis.Of(OnnxImporter.Read(Write()).Graph);
        var groups = analysis.Groups.ToDictionary(g => g.Name);

        Assert.Equal(["head", "se_reduce", "stem"], groups.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((4, GroupKinds.ConvGroups, 2), (groups["stem"].Units, groups["stem"].Kind, groups["stem"].MinKeep));
        Assert.Equal(["stem", "stem_bn", "g1", "g1_bn", "se_expand", "g2"], groups["stem"].Producers);
        Assert.Equal(["se_reduce", "head"], groups["stem"].Consumers);
        Assert.Equal((2, 1), (groups["se_reduce"].Units, groups["se_reduce"].MinKeep));
        Assert.Equal(6, groups["head"].Units);
        Assert.Equal([(0, 2, true)], Layout(analysis, "stem.weight"));
        Assert.Equal([(0, 2, true)], Layout(analysis, "g1.weight"));
        Assert.Equal([(0, 2, true), (1, 2, false)], Layout(analysis, "se_expand.weight").Where(b => b.Dim == 0).Concat(Layout(analysis, "se_reduce.weight").Where(b => b.Dim == 1)));
        Assert.Equal([(0, 4, true)], Layout(analysis, "g2.weight"));
        Assert.Equal([(1, 4, false)], Layout(analysis, "head.weight").Where(b => b.Dim == 1));
    }

    [Fact]
    public void Grouped_convolutions_with_different_group_counts_share_units_of_whole_groups_of_both()
    {
        var analysis = GraphAnalysis.Of(OnnxImporter.Read(Write(groups2: 2)).Graph);
        var stem = analysis.Groups.Single(g => g.Name == "stem");

        Assert.Equal((2, 2), (stem.Units, stem.MinKeep));
        Assert.Equal([(0, 4, true)], Layout(analysis, "g1.weight"));
        Assert.Equal([(0, 8, true)], Layout(analysis, "g2.weight"));
    }

    [Fact]
    public void An_input_that_cannot_be_cut_at_group_boundaries_keeps_both_sides_of_the_grouped_convolution_whole()
    {
        var analysis = GraphAnalysis.Of(OnnxImporter.Read(TestGraphs.Write(GroupedGraphs.Misaligned(Classes), _dir, "misaligned.onnx")).Graph);

        Assert.Equal(["head"], analysis.Groups.Select(g => g.Name));
        Assert.False(analysis.Bindings.ContainsKey("g.weight"));
        Assert.Equal(4, analysis.Resize(new Dictionary<string, int> { ["head"] = 2 }).Node("g").Groups);
    }

    [Fact]
    public void A_slice_at_a_group_boundary_splits_the_groups_and_one_inside_a_group_keeps_them_whole()
    {
        var atBoundary = OnnxImporter.Load(TestGraphs.Write(GroupedGraphs.Sliced(Classes, from: 2), _dir, "boundary.onnx"));
        var inside = OnnxImporter.Load(TestGraphs.Write(GroupedGraphs.Sliced(Classes, from: 3), _dir, "inside.onnx"));
        using (atBoundary)
        using (inside)
        {
            Assert.Equal([("c", 5, 1), ("stem", 1, 1), ("stem_2", 3, 2)], atBoundary.Analysis.Groups.Select(g => (g.Name, g.Units, g.MinKeep)).OrderBy(g => g.Name, StringComparer.Ordinal));
            Assert.Equal(["c"], inside.Analysis.Groups.Select(g => g.Name));
            using var whole = MaskApplier.Shrink(inside, new Dictionary<string, int[]> { ["c"] = [0, 4] });
            Assert.Equal((4, 3, 5), (whole.Graph.Node("g").Groups, whole.Graph.Node("tail").ChannelStart, whole.Graph.Node("tail").ChannelCount));
            using var pruned = MaskApplier.Shrink(atBoundary, new Dictionary<string, int[]> { ["stem_2"] = [0, 2] });
            Assert.Equal((3, 4), (pruned.Graph.Node("g").Groups, pruned.Graph.Node("tail").ChannelCount));
            var exported = Path.Combine(_dir, "sliced-pruned.onnx");
            OnnxExporter.Export(pruned, exported);
            Assert.True(OnnxRuntimeCheck.Compare(exported, pruned, Data(), 64).MaxAbsDifference < Tolerance);
        }
    }

    [Fact]
    public void Pruning_units_removes_whole_groups_from_every_layer_and_reduces_the_group_count()
    {
        using var source = OnnxImporter.Load(Write());
        using var pruned = MaskApplier.Shrink(source, Kept);
        var before = State(source);
        var after = State(pruned);
        long[] pairs = [0, 1, 4, 5];
        long[] quads = [0, 1, 2, 3, 8, 9, 10, 11];

        using var scope = torch.NewDisposeScope();
        Assert.Equal((2, 4, 2, 8), (pruned.Graph.Node("g1").Groups, pruned.Graph.Node("g1").OutChannels, pruned.Graph.Node("g2").Groups, pruned.Graph.Node("g2").OutChannels));
        Same(before["stem.weight"].index_select(0, torch.tensor(pairs)), after["stem.weight"]);
        Same(before["stem_bn.running_var"].index_select(0, torch.tensor(pairs)), after["stem_bn.running_var"]);
        Same(before["g1.weight"].index_select(0, torch.tensor(pairs)), after["g1.weight"]);
        Same(before["se_expand.weight"].index_select(0, torch.tensor(pairs)).index_select(1, torch.tensor(new long[] { 1 })), after["se_expand.weight"]);
        Same(before["se_reduce.weight"].index_select(0, torch.tensor(new long[] { 1 })).index_select(1, torch.tensor(pairs)), after["se_reduce.weight"]);
        Same(before["g2.weight"].index_select(0, torch.tensor(quads)), after["g2.weight"]);
        Same(before["g2.bias"].index_select(0, torch.tensor(quads)), after["g2.bias"]);
        Same(before["head.weight"].index_select(0, torch.tensor(new long[] { 1, 3, 4 })).index_select(1, torch.tensor(quads)), after["head.weight"]);
        Assert.Equal(Macs(4, 2, 6), source.Macs);
        Assert.Equal(Macs(2, 1, 3), pruned.Macs);
        Assert.Equal(pruned.ParameterCount, pruned.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Shrunk_model_matches_the_model_with_the_removed_groups_zeroed()
    {
        using var source = OnnxImporter.Load(Write());
        using var pruned = MaskApplier.Shrink(source, Kept);
        using var masked = MaskApplier.CloneMasked(source, Kept);
        pruned.eval();
        masked.eval();
        source.eval();

        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        var x = torch.randn(4, 3, 8, 8, generator: new torch.Generator(3));
        var a = pruned.call(x);
        var b = masked.call(x);
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), $"max diff {a.sub(b).abs().max().item<float>()}");
        Assert.False(a.allclose(source.call(x), rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void Pruned_model_exports_grouped_convolutions_with_the_kept_group_count_and_runs_as_in_onnx_runtime()
    {
        using var source = OnnxImporter.Load(Write());
        using var pruned = MaskApplier.Shrink(source, Kept);
        var exported = Path.Combine(_dir, "pruned.onnx");
        OnnxExporter.Export(pruned, exported);

        var written = ModelProto.Parser.ParseFrom(File.ReadAllBytes(exported));
        long Group(string node) => written.Graph.Node.Single(n => n.Name == node).Attribute.Single(a => a.Name == "group").I;
        Assert.Equal((2L, 2L), (Group("g1"), Group("g2")));
        var report = OnnxRuntimeCheck.Compare(exported, pruned, Data(), 64);
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
        using var again = OnnxImporter.Load(exported);
        Assert.Equal(2, again.Analysis.Groups.Single(g => g.Kind == GroupKinds.ConvGroups).Units);
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
    public void Importance_of_a_unit_sums_the_rows_of_its_group_in_every_producer()
    {
        using var model = OnnxImporter.Load(Write());
        var scores = Importance.Scores(model, ImportanceCriterion.L1);
        var state = State(model);
        using var scope = torch.NewDisposeScope();

        double Rows(string tensor, int first, int count) => state[tensor].narrow(0, first, count).abs().sum().item<float>();
        double Unit(int u) => Rows("stem.weight", 2 * u, 2) + Rows("g1.weight", 2 * u, 2) + Rows("se_expand.weight", 2 * u, 2) + Rows("g2.weight", 4 * u, 4);

        Assert.Equal(Enumerable.Range(0, 4).Select(Unit), scores["stem"], (a, b) => Math.Abs(a - b) < 1e-4);
    }

    [Fact]
    public void BatchNorm_scale_sums_a_units_gammas_and_taylor_gives_one_score_per_unit()
    {
        using var model = OnnxImporter.Load(Write());
        var scale = Importance.Scores(model, ImportanceCriterion.BatchNormScale);
        var taylor = Importance.Scores(model, ImportanceCriterion.Taylor, new ImportanceOptions { Data = Data(), Batches = 1, BatchSize = 8 });
        var state = State(model);
        using var scope = torch.NewDisposeScope();

        double Gammas(string bn, int u) => state[bn + ".weight"].narrow(0, 2 * u, 2).abs().sum().item<float>();

        Assert.Equal(Enumerable.Range(0, 4).Select(u => Gammas("stem_bn", u) + Gammas("g1_bn", u)), scale["stem"], (a, b) => Math.Abs(a - b) < 1e-4);
        Assert.Equal(4, taylor["stem"].Length);
        Assert.All(taylor["stem"], t => Assert.True(double.IsFinite(t) && t >= 0));
    }

    [Fact]
    public void A_grouped_convolution_keeps_at_least_two_groups()
    {
        using var model = OnnxImporter.Load(Write());
        var keep = new PruneMask(new Dictionary<string, bool[]> { ["stem"] = [false, true, false, false] });

        var resolved = MaskApplier.Resolve(model, keep);
        var refused = Assert.Throws<ArgumentException>(() => MaskApplier.Shrink(model, new Dictionary<string, int[]> { ["stem"] = [1] }));

        Assert.Equal(2, resolved.Kept["stem"].Length);
        Assert.Contains(1, resolved.Kept["stem"]);
        Assert.Contains("one group", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Per sample over 8x8: stem 3x3 from 3 channels, g1 (2 inputs per group), the gate's two 1x1 convolutions, g2, head, fc.</summary>
    private static long Macs(int units, int squeeze, int head) =>
        (2 * units * 64L * 27) + (2 * units * 64L * 18) + (2L * squeeze * 2 * units) + (4 * units * 64L * 18) + (head * 64L * 4 * units) + (head * (long)Classes);

    private static void Same(torch.Tensor expected, torch.Tensor actual) => Assert.True(actual.allclose(expected, rtol: 0, atol: 0));

    private static (int Dim, int Repeat, bool Produces)[] Layout(GraphAnalysis analysis, string tensor) =>
        analysis.Bindings[tensor].Select(b => (b.Dim, b.Repeat, b.Produces)).ToArray();

    private static Dictionary<string, torch.Tensor> State(ZooModel model) =>
        model.state_dict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static PrunerCluster.Pruning.Data.ImageDataset Data() =>
        TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 8, classes: Classes).Validation;

    private string Write(int groups2 = 4) => TestGraphs.Write(GroupedGraphs.Chained(Classes, groups2), _dir, $"grouped-{groups2}.onnx");
}
