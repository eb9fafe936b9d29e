using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Tests;

/// <summary>
/// The backend's export formats of an imported ONNX model each read back at the accuracy their card reports: a (final-recovery
/// style) TorchSharp export, re-exported as torchsharp and as onnx, as 'export' does with a recovered member, then reloaded as
/// 'verify' does.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ImportedModelExportTests
{
    [Fact]
    public void Each_export_format_of_an_imported_model_reads_back_at_its_reported_test_accuracy()
    {
        using var c = new ImportedCifarCase("imported-export", dataSeed: 3);
        var (backend, data) = (c.Backend, c.Data);
        var spec = c.Spec with { FinalRecovery = new FinalRecoverySettings { FineTuneSteps = 2 } };
        Assert.Empty(backend.Validate(spec));
        var recovered = Path.Combine(c.Root, "recovered");
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
            var directory = Path.Combine(c.Root, "export-" + format);
            var export = backend.ExportRecovered(spec, recovered, directory, format, CancellationToken.None);
            Assert.Equal(format, export.Card.Format);
            using var exported = ModelExporter.Load(directory);
            var measured = ClassificationMetrics.Evaluate(exported.Model, test, (int)exported.Card.Metrics["test_samples"]);
            Assert.Equal(exported.Card.Metrics["test_accuracy"], measured.Accuracy);
        }
    }
}
