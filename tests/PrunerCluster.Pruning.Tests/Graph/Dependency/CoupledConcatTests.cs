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
/// An Add of a Concat's output with one convolution's (DepGraph's coupling across layouts): the convolution's channels split into one
/// group per Concat input instead of being kept whole; a dense-block Concat feeds the next layer with offsets.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CoupledConcatTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 3;
    private static readonly Dictionary<string, int[]> Kept = new(StringComparer.Ordinal)
    {
        ["stem"] = [0, 2, 5],
        ["stem_2"] = [1, 3],
        ["grow"] = [3],
        ["head"] = [0, 1, 2, 6, 7],
    };

    private readonly string _dir = TestSupport.TempDirectory();

    public CoupledConcatTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_convolution_added_to_a_concat_is_split_into_one_group_per_concat_input()
    {
        var analysis = GraphAnalysis.Of(OnnxImporter.Read(Write()).Graph);
        var groups = analysis.Groups.ToDictionary(g => g.Name);

        Assert.Equal(["grow", "head", "stem", "stem_2"], groups.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((6, GroupKinds.ResidualChannels), (groups["stem"].Units, groups["stem"].Kind));
        Assert.Equal(["stem", "branch_a"], groups["stem"].Producers);
        Assert.Equal(["stem", "branch_b"], groups["stem_2"].Producers);
        Assert.Equal(["branch_a", "branch_b", "grow", "head"], groups["stem_2"].Consumers);
        Assert.Equal([("stem", 0), ("stem_2", 6)], analysis.Bindings["stem.weight"].Select(b => (b.Group, b.Offset)));
        Assert.Equal([("stem", 0), ("stem_2", 6), ("grow", 10)], analysis.Bindings["head.weight"].Where(b => b.Dim == 1).Select(b => (b.Group, b.Offset)));
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
    public void Pruning_both_parts_removes_their_channels_from_the_split_convolution_and_every_reader()
    {
        using var source = OnnxImporter.Load(Write());
        using var pruned = MaskApplier.Shrink(source, Kept);
        var before = State(source);
        var after = State(pruned);
        long[] stemRows = [0, 2, 5, 7, 9];
        long[] headInputs = [0, 2, 5, 7, 9, 13];

        using var scope = torch.NewDisposeScope();
        Assert.Equal(5, pruned.Graph.Node("stem").OutChannels);
        Assert.True(after["stem.weight"].allclose(before["stem.weight"].index_select(0, torch.tensor(stemRows)), rtol: 0, atol: 0));
        Assert.True(after["branch_a.weight"].allclose(before["branch_a.weight"].index_select(0, torch.tensor(new long[] { 0, 2, 5 })).index_select(1, torch.tensor(stemRows)), rtol: 0, atol: 0));
        Assert.True(after["branch_b.weight"].allclose(before["branch_b.weight"].index_select(0, torch.tensor(new long[] { 1, 3 })).index_select(1, torch.tensor(stemRows)), rtol: 0, atol: 0));
        Assert.True(after["head.weight"].allclose(before["head.weight"].index_select(0, torch.tensor(new long[] { 0, 1, 2, 6, 7 })).index_select(1, torch.tensor(headInputs)), rtol: 0, atol: 0));
        Assert.Equal(Macs(10, 4, 8), source.Macs);
        Assert.Equal(Macs(5, 1, 5), pruned.Macs);
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
    public void Importance_of_each_part_sums_the_split_convolutions_rows_at_its_offset_with_the_branch()
    {
        using var model = OnnxImporter.Load(Write());
        var scores = Importance.Scores(model, ImportanceCriterion.L1);
        var state = State(model);
        using var scope = torch.NewDisposeScope();

        double Row(string tensor, int i) => state[tensor][i].abs().sum().item<float>();

        Assert.Equal(Enumerable.Range(0, 6).Select(i => Row("stem.weight", i) + Row("branch_a.weight", i)), scores["stem"], (a, b) => Math.Abs(a - b) < 1e-4);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => Row("stem.weight", 6 + i) + Row("branch_b.weight", i)), scores["stem_2"], (a, b) => Math.Abs(a - b) < 1e-4);
    }

    /// <summary>Per sample over 16x16: stem 3x3 from 3 channels, the two 1x1 branches and grow on the stem's c channels, head 1x1, fc.</summary>
    private static long Macs(int c, int grow, int head) =>
        (c * 256L * 27) + (c * 256L * c) + (grow * 256L * c) + (head * 256L * (c + grow)) + (head * (long)Classes);

    private static Dictionary<string, torch.Tensor> State(ZooModel model) =>
        model.state_dict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static PrunerCluster.Pruning.Data.ImageDataset Data() =>
        TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;

    private string Write() => TestGraphs.Write(CoupledGraphs.ConcatResidual(Classes), _dir, "coupled.onnx");
}
