using Google.Protobuf;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.TestModels;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Export;

/// <summary>
/// Every export format of an imported (ONNX) model reads back: a pruned ResNet-style graph written in C# is exported as
/// TorchSharp weights (with its graph beside them) and as ONNX, and each reloads with the same outputs and architecture.
/// A TorchSharp export used to be unreadable: its weights were handed to the ONNX importer.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ImportedModelExportTests
{
    public ImportedModelExportTests() => TestSupport.Init();

    [Theory]
    [InlineData("torchsharp")]
    [InlineData("onnx")]
    public void A_pruned_imported_model_reads_back_from_each_export_format(string format)
    {
        var dir = TestSupport.TempDirectory();
        var path = Path.Combine(dir, "branchy.onnx");
        File.WriteAllBytes(path, OnnxGraphs.Branchy(classes: 4, size: 16).ToByteArray());
        using var source = OnnxImporter.Load(path);
        var kept = PruningStructure.Analyze(source).ToDictionary(g => g.Name, g => Enumerable.Range(0, g.Units).Where(i => i % 2 == 0).ToArray(), StringComparer.Ordinal);
        using var pruned = MaskApplier.Shrink(source, kept);
        pruned.eval();
        var card = new ModelCard { Model = pruned.Architecture.Kind, Dataset = "cifar", Architecture = pruned.Architecture, SourceArchitecture = source.Architecture, KeptIndices = kept };
        var export = Path.Combine(dir, format);
        var written = format == "onnx" ? ModelExporter.ExportOnnx(pruned, card, export) : ModelExporter.Export(pruned, card, export);
        Assert.Equal(format, written.Format);

        using var loaded = ModelExporter.Load(export);
        Assert.Equal(written.WeightsSha256, loaded.Card.WeightsSha256);
        Assert.True(loaded.Card.Architecture.SameAs(pruned.Architecture));
        Assert.Equal(pruned.Macs, loaded.Model.Macs);
        Assert.Equal(pruned.Architecture.Widths.Select(w => w.Units).Order(), loaded.Model.Architecture.Widths.Select(w => w.Units).Order());
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        torch.manual_seed(2);
        var x = torch.randn(4, 3, 16, 16);
        var diff = (pruned.call(x) - loaded.Model.call(x)).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"{format}: reloaded outputs differ by {diff}");
    }

    [Fact]
    public void A_torchsharp_export_of_an_imported_model_without_its_graph_is_refused_with_the_field_and_what_to_do()
    {
        var dir = TestSupport.TempDirectory();
        var path = Path.Combine(dir, "branchy.onnx");
        File.WriteAllBytes(path, OnnxGraphs.Branchy(classes: 4, size: 16).ToByteArray());
        using var model = OnnxImporter.Load(path);
        var export = Path.Combine(dir, "export");
        var written = ModelExporter.Export(model, new ModelCard { Model = "onnx", Dataset = "cifar", Architecture = model.Architecture }, export);
        Assert.Equal(GraphFile.FileName, written.GraphFile);

        // As an export written before the graph was shipped beside the weights.
        File.WriteAllText(Path.Combine(export, ModelExporter.CardFileName), (written with { GraphFile = null, GraphSha256 = null }).ToJson());
        var e = Assert.Throws<InvalidDataException>(() => ModelExporter.Load(export));
        Assert.Contains("graphFile", e.Message, StringComparison.Ordinal);
        Assert.Contains("kind 'onnx'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Export it again", e.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(export, ModelExporter.CardFileName), written.ToJson());
        File.AppendAllText(Path.Combine(export, GraphFile.FileName), " ");
        Assert.Contains("SHA-256", Assert.Throws<InvalidDataException>(() => ModelExporter.Load(export)).Message, StringComparison.Ordinal);
    }
}
