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
/// The backend's export formats of an imported ONNX model each read back at the accuracy their card reports: a (final-recovery
/// style) TorchSharp export, re-exported as torchsharp and as onnx, as 'export' does with a recovered member, then reloaded as
/// 'verify' does.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ImportedModelExportTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "prunercluster-imported-export-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Each_export_format_of_an_imported_model_reads_back_at_its_reported_test_accuracy()
    {
        Directory.CreateDirectory(_root);
        var modelPath = Path.Combine(_root, "branchy.onnx");
        File.WriteAllBytes(modelPath, OnnxGraphs.Branchy(classes: 4, size: 16).ToByteArray());
        var data = Path.Combine(_root, "cifar");
        Directory.CreateDirectory(data);
        var rng = new Random(3);
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
            Name = "imported-export",
            Backend = TorchSharpEvaluationBackend.BackendName,
            Model = "onnx",
            ModelSource = new ModelSourceSpec { Onnx = modelPath },
            Dataset = DatasetSourceSpec.CifarBinary,
            DatasetSource = new DatasetSourceSpec { Format = DatasetSourceSpec.CifarBinary, Root = data, ImageSize = 16, Validation = 32 },
            Evaluation = new EvaluationSettingsSpec { FineTuneSteps = 1, BatchSize = 16, ValidationSamples = 32, LatencyBatchSize = 4, LatencyRuns = 2, LatencyMaxRuns = 2, LatencyWarmup = 0, EnergyWindow = 0, Threads = 1 },
            FinalRecovery = new FinalRecoverySettings { FineTuneSteps = 2 },
        };
        var backend = new TorchSharpEvaluationBackend(Options.Create(new TorchSharpBackendOptions { Threads = 1, CheckpointCacheDirectory = Path.Combine(_root, "cache") }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);
        Assert.Empty(backend.Validate(spec));
        var recovered = Path.Combine(_root, "recovered");
        var full = Genome.Full(backend.LayoutOf(spec, CancellationToken.None)).ToCanonicalString();
        var result = backend.ExportModel(spec, full, recovered, CancellationToken.None);
        Assert.True(result.Succeeded, result.FailureReason);
        using (var reloaded = ModelExporter.Load(recovered))
        {
            Assert.Equal(GraphFile.FileName, reloaded.Card.GraphFile);
        }

        var test = DatasetCatalog.Load(new DatasetDescriptor { Format = DatasetFormats.CifarBinary, Root = data, ImageSize = 16, ValidationCount = 1 }, splitSeed: 1).Test;
        foreach (var format in new[] { TorchSharpEvaluationBackend.FormatTorchSharp, TorchSharpEvaluationBackend.FormatOnnx })
        {
            var directory = Path.Combine(_root, "export-" + format);
            var export = backend.ExportRecovered(spec, recovered, directory, format, CancellationToken.None);
            Assert.Equal(format, export.Card.Format);
            using var exported = ModelExporter.Load(directory);
            var measured = ClassificationMetrics.Evaluate(exported.Model, test, (int)exported.Card.Metrics["test_samples"]);
            Assert.Equal(exported.Card.Metrics["test_accuracy"], measured.Accuracy);
        }
    }
}
