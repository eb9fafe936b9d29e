using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Engine.Backends;
using PrunerCluster.TestModels;

namespace PrunerCluster.Engine.Tests;

/// <summary>
/// An imported model searched with <c>"normalize": "imagenet"</c>: the evaluation, the final-recovery style export, the ONNX
/// export and its ONNX Runtime check and the data set 'verify' reads back all use the ImageNet constants, and the model card
/// and the ONNX metadata record them.
/// </summary>
[Trait("Category", "Slow")]
public sealed class NormalizedImportExportTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "prunercluster-normalized-export-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void A_pruned_member_is_evaluated_exported_and_checked_in_onnx_runtime_with_the_chosen_constants()
    {
        Directory.CreateDirectory(_root);
        var modelPath = Path.Combine(_root, "branchy.onnx");
        File.WriteAllBytes(modelPath, OnnxGraphs.Branchy(classes: 4, size: 16).ToByteArray());
        var data = Path.Combine(_root, "cifar");
        Directory.CreateDirectory(data);
        var rng = new Random(5);
        byte[] Records(int count, int offset)
        {
            const int record = 1 + (3 * 16 * 16);
            var bytes = new byte[count * record];
            for (var n = 0; n < count; n++)
            {
                var label = (n + offset) % 4;
                bytes[n * record] = (byte)label;
                for (var p = 1; p < record; p++)
                {
                    bytes[(n * record) + p] = (byte)((label * 50) + rng.Next(60));
                }
            }

            return bytes;
        }

        File.WriteAllBytes(Path.Combine(data, "data_batch_1.bin"), Records(96, 0));
        File.WriteAllBytes(Path.Combine(data, "test_batch.bin"), Records(40, 1));
        var spec = new ExperimentSpec
        {
            Name = "normalized-export",
            Backend = TorchSharpEvaluationBackend.BackendName,
            Model = "onnx",
            ModelSource = new ModelSourceSpec { Onnx = modelPath },
            Dataset = DatasetSourceSpec.CifarBinary,
            DatasetSource = new DatasetSourceSpec { Format = DatasetSourceSpec.CifarBinary, Root = data, ImageSize = 16, Validation = 32, Normalize = InputNormalizationSpec.Named("imagenet") },
            Evaluation = new EvaluationSettingsSpec { FineTuneSteps = 1, LearningRate = 1e-3, BatchSize = 16, ValidationSamples = 32, LatencyBatchSize = 4, LatencyRuns = 2, LatencyMaxRuns = 2, LatencyWarmup = 0, EnergyWindow = 0, Threads = 1 },
        };
        var backend = new TorchSharpEvaluationBackend(Options.Create(new TorchSharpBackendOptions { Threads = 1, CheckpointCacheDirectory = Path.Combine(_root, "cache") }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);
        Assert.Empty(backend.Validate(spec));

        // The same file on a one-channel reading of the data is refused before work starts.
        var gray = spec with { DatasetSource = spec.DatasetSource with { Channels = 1 } };
        Assert.Contains(SpecValidator.Validate(gray), e => e.Field == "dataset.normalize");

        var layout = backend.LayoutOf(spec, CancellationToken.None);
        var pruned = LevelInitialization.Create(layout, 0.5).ToCanonicalString();
        var recovered = Path.Combine(_root, "recovered");
        var result = backend.ExportModel(spec, pruned, recovered, CancellationToken.None);
        Assert.True(result.Succeeded, result.FailureReason);

        // The same member under the default normalisation is another evaluation (another settings hash), fed other inputs.
        var plainSpec = spec with { DatasetSource = spec.DatasetSource with { Normalize = null } };
        var plainDirectory = Path.Combine(_root, "plain");
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

        var directory = Path.Combine(_root, "export-onnx");
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
