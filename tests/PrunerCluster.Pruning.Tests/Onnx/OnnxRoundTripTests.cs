using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Tests.Graph;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Onnx;

[Trait("Category", "Slow")]
public sealed class OnnxRoundTripTests
{
    public static TheoryData<string> Zoo => new(ModelZoo.Names);

    [Theory]
    [MemberData(nameof(Zoo))]
    public void Each_built_in_model_exported_and_imported_gives_the_same_outputs_and_groups(string kind)
    {
        TestSupport.Init();
        var dir = TestSupport.TempDirectory();
        using var original = ModelZoo.Create(kind, 3, 16, 7, seed: 11);
        original.eval();
        var path = Path.Combine(dir, kind + ".onnx");
        OnnxExporter.Export(original, path, new Dictionary<string, string> { ["source"] = kind });

        using var imported = OnnxImporter.Load(path);
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        torch.manual_seed(3);
        var x = torch.randn(5, 3, 16, 16);
        var diff = (original.call(x) - imported.call(x)).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"{kind}: max |difference| {diff}");

        // Same partition into groups (names differ: an ONNX file carries no zoo width names, so groups are named after their first producer).
        static string[] Shape(IEnumerable<PrunableGroup> groups) => groups.Select(g => $"{g.Units}:{g.Kind}:{string.Join(",", g.Producers)}>{string.Join(",", g.Consumers)}").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Shape(PruningStructure.Analyze(original)), Shape(PruningStructure.Analyze(imported)));
        Assert.Equal(original.Macs, imported.Macs);
        Assert.Equal(original.ParameterCount, imported.ParameterCount);

        // ONNX Runtime runs the exported file with TorchSharp's outputs.
        var data = TestSupport.Synthetic(40, channels: 3, size: 16, classes: 7);
        var report = OnnxRuntimeCheck.Compare(path, original, data, 40);
        Assert.True(report.MaxAbsDifference < 1e-3, $"{kind}: ONNX Runtime differs by {report.MaxAbsDifference}");
        Assert.Equal(report.TorchAccuracy, report.OnnxAccuracy);
    }

    [Fact]
    public void Branchy_graph_is_imported_pruned_and_exported_physically_smaller_and_runs_in_onnx_runtime()
    {
        TestSupport.Init();
        var dir = TestSupport.TempDirectory();
        var path = TestGraphs.Write(TestGraphs.BranchyProto(classes: 4), dir);
        using var model = OnnxImporter.Load(path);
        var groups = PruningStructure.Analyze(model);
        var kept = groups.ToDictionary(g => g.Name, g => Enumerable.Range(0, g.Units).Where(i => i % 2 == 0).ToArray());
        using var pruned = MaskApplier.Shrink(model, kept);
        using var masked = MaskApplier.CloneMasked(model, kept);
        pruned.eval();
        masked.eval();
        Assert.True(pruned.ParameterCount < model.ParameterCount * 0.5, $"{pruned.ParameterCount} vs {model.ParameterCount}");

        using (var scope = torch.NewDisposeScope())
        using (var guard = torch.no_grad())
        {
            torch.manual_seed(1);
            var x = torch.randn(3, 3, 16, 16);
            var diff = (pruned.call(x) - masked.call(x)).abs().max().item<float>();
            Assert.True(diff < 1e-4, $"shrunk vs masked: {diff}");
        }

        var exported = Path.Combine(dir, "pruned.onnx");
        OnnxExporter.Export(pruned, exported);
        Assert.True(new FileInfo(exported).Length < new FileInfo(path).Length * 0.6);
        var report = OnnxRuntimeCheck.Compare(exported, pruned, TestSupport.Synthetic(16, channels: 3, size: 16, classes: 4), 16);
        Assert.True(report.MaxAbsDifference < 2e-2, $"ONNX Runtime differs by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);

        using var reimported = OnnxImporter.Load(exported);
        Assert.Equal(pruned.Architecture.Widths.Select(w => w.Units).Order(), reimported.Architecture.Widths.Select(w => w.Units).Order());
    }
}
