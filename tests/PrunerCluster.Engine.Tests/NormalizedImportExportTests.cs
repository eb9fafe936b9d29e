using Google.Protobuf;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Tests;

/// <summary>
/// An imported model searched with <c>"normalize": "imagenet"</c>: the evaluation, the final-recovery style export, the ONNX
/// export and its ONNX Runtime check and the data set 'verify' reads back all use the ImageNet constants, and the model card
/// and the ONNX metadata record them.
/// </summary>
[Trait("Category", "Slow")]
public sealed class NormalizedImportExportTests
{
    [Fact]
    public void A_pruned_member_is_evaluated_exported_and_checked_in_onnx_runtime_with_the_chosen_constants()
    {
        using var c = new ImportedCifarCase("normalized-export", dataSeed: 5);
        var (backend, data) = (c.Backend, c.Data);
        var spec = c.Spec with
        {
            DatasetSource = c.Spec.DatasetSource! with { Normalize = InputNormalizationSpec.Named("imagenet") },
            Evaluation = c.Spec.Evaluation with { LearningRate = 1e-3 },
        };
        Assert.Empty(backend.Validate(spec));

        // The same file on a one-channel reading of the data is refused before work starts.
        var gray = spec with { DatasetSource = spec.DatasetSource with { Channels = 1 } };
        Assert.Contains(SpecValidator.Validate(gray), e => e.Field == "dataset.normalize");

        var layout = backend.LayoutOf(spec, CancellationToken.None);
        var pruned = LevelInitialization.Create(layout, 0.5).ToCanonicalString();
        var recovered = Path.Combine(c.Root, "recovered");
        var result = backend.ExportModel(spec, pruned, recovered, CancellationToken.None);
        Assert.True(result.Succeeded, result.FailureReason);

        // The same member under the default normalisation is another evaluation (another settings hash), fed other inputs.
        var plainSpec = spec with { DatasetSource = spec.DatasetSource with { Normalize = null } };
        var plainDirectory = Path.Combine(c.Root, "plain");
        var plain = backend.ExportModel(plainSpec, pruned, plainDirectory, CancellationToken.None);
        Assert.True(plain.Succeeded, plain.FailureReason);
        Assert.NotEqual(plain.SettingsHash, result.SettingsHash);
        Assert.Equal(plain.CheckpointHash, result.CheckpointHash);
        using (var plainModel = ModelExporter.Load(plainDirectory))
        {
            Assert.Equal("dataset", plainModel.Card.Normalization!.Kind);
            Assert.NotEqual([0.485f, 0.456f, 0.406f], plainModel.Card.Normalization.Mean);
            Assert.Null(plainModel.Card.DatasetSource!.Normalization);
        }

        float[] imagenetMean = [0.485f, 0.456f, 0.406f];
        float[] imagenetStd = [0.229f, 0.224f, 0.225f];
        using (var reloaded = ModelExporter.Load(recovered))
        {
            Assert.Equal("imagenet", reloaded.Card.Normalization!.Kind);
            Assert.Equal(imagenetMean, reloaded.Card.Normalization.Mean);
            Assert.Equal(imagenetStd, reloaded.Card.Normalization.Std);
            Assert.Equal("imagenet", reloaded.Card.DatasetSource!.Normalization);
            Assert.True(reloaded.Card.Architecture.Widths.Sum(w => w.Units) < reloaded.Card.SourceArchitecture!.Widths.Sum(w => w.Units), "the member is pruned");
        }

        var directory = Path.Combine(c.Root, "export-onnx");
        var export = backend.ExportRecovered(spec, recovered, directory, TorchSharpEvaluationBackend.FormatOnnx, CancellationToken.None);
        var card = export.Card;
        Assert.Equal(imagenetMean, card.Normalization!.Mean);
        Assert.InRange(card.OnnxRuntime!.MaxAbsDifference, 0, 1e-4);
        Assert.Equal(0, card.OnnxRuntime.PredictionMismatches);
        var onnx = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(directory, card.OnnxFile!)));
        var metadata = onnx.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("imagenet", metadata["prunercluster.input_normalization"]);
        Assert.Equal("0.485,0.456,0.406", metadata["prunercluster.input_mean"]);

        // 'verify' reads the data set back from the card with the same constants and reproduces the card's test accuracy.
        var source = ExportedDataset.Resolve(card, null);
        var test = DatasetCatalog.Load(source with { ValidationCount = 1, ValidationFraction = null }, splitSeed: 1).Test;
        Assert.Equal(imagenetStd, test.Std);
        using var exported = ModelExporter.Load(directory);
        Assert.Equal(card.Metrics["test_accuracy"], ClassificationMetrics.Evaluate(exported.Model, test, (int)card.Metrics["test_samples"]).Accuracy);
    }
}
