using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Tests.Graph;
using PrunerCluster.TestModels;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Onnx.Exporters;

/// <summary>
/// torch.onnx stores one initializer per distinct value and reads every equal parameter through an Identity (the zero biases of
/// SqueezeNet, the squeeze-and-excitation layers of MobileNetV3 and EfficientNet): such parameters import as the constant they copy.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SharedParameterTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const int Classes = 3;
    private readonly string _dir = TestSupport.TempDirectory();

    public SharedParameterTests() => TestSupport.Init();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Parameters_read_through_identity_import_and_run_as_in_onnx_runtime()
    {
        var path = TestGraphs.Write(TorchExportGraphs.SharedParameters(Classes), _dir, "shared.onnx");
        using var model = OnnxImporter.Load(path);
        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

        var report = OnnxRuntimeCheck.Compare(path, model, Data(), 64);

        Assert.Equal(["c1", "c2"], model.Architecture.Widths.Select(w => w.Group));
        Assert.Equal([0.1f, -0.2f, 0.3f, 0.05f, -0.1f, 0.2f], state["c1.bias"].data<float>().ToArray());
        Assert.Equal(state["c1.bias"].data<float>().ToArray(), state["c2.bias"].data<float>().ToArray());
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
    }

    [Fact]
    public void Pruning_one_reader_of_a_shared_parameter_leaves_the_other_whole_and_exports_as_onnx_runtime_runs_it()
    {
        using var source = OnnxImporter.Load(TestGraphs.Write(TorchExportGraphs.SharedParameters(Classes), _dir, "shared.onnx"));
        using var pruned = MaskApplier.Shrink(source, new Dictionary<string, int[]> { ["c1"] = [1, 4], ["c2"] = [0, 2, 3, 5] });
        var exported = Path.Combine(_dir, "pruned.onnx");
        OnnxExporter.Export(pruned, exported);
        var state = pruned.state_dict().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

        var report = OnnxRuntimeCheck.Compare(exported, pruned, Data(), 64);

        Assert.Equal([-0.2f, -0.1f], state["c1.bias"].data<float>().ToArray());
        Assert.Equal([0.1f, 0.3f, 0.05f, 0.2f], state["c2.bias"].data<float>().ToArray());
        Assert.True(report.MaxAbsDifference < Tolerance, $"logits differ by {report.MaxAbsDifference}");
        Assert.Equal(0, report.PredictionMismatches);
    }

    private static PrunerCluster.Pruning.Data.ImageDataset Data() =>
        TestSupport.SyntheticSplit(train: 16, validation: 64, test: 16, channels: 3, size: 16, classes: Classes).Validation;
}
