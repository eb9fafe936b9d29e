using Google.Protobuf;
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
}
