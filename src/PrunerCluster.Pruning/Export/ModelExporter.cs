using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Export;

public sealed record ExportedModel(ZooModel Model, ModelCard Card) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>Writes <c>model.bin</c> (TorchSharp state-dict format) and <c>model-card.json</c> into a folder, and loads them back.</summary>
public static class ModelExporter
{
    public const string WeightsFileName = "model.bin";
    public const string CardFileName = "model-card.json";
    public const string OnnxFileName = "model.onnx";

    public static ModelCard Export(ZooModel model, ModelCard card, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(card);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!card.Architecture.SameAs(model.Architecture))
        {
            throw new ArgumentException("The card's architecture does not describe the model being exported.", nameof(card));
        }

        Directory.CreateDirectory(directory);
        var weights = Path.Combine(directory, WeightsFileName);
        var wasTraining = model.training;
        model.eval();
        model.save(weights);
        model.train(wasTraining);
        var final = card with { Format = "torchsharp", OnnxFile = null, OnnxSha256 = null, WeightsFile = WeightsFileName, WeightsSha256 = Sha256Hex.OfFile(weights), GraphFile = null, GraphSha256 = null };
        if (!ModelZoo.IsZoo(model.Architecture.Kind))
        {
            // An imported graph is not rebuilt from its architecture record: ship it next to the weights.
            var graph = Path.Combine(directory, GraphFile.FileName);
            File.WriteAllText(graph, GraphFile.ToJson(model.Graph));
            final = final with { GraphFile = GraphFile.FileName, GraphSha256 = Sha256Hex.OfFile(graph) };
        }

        File.WriteAllText(Path.Combine(directory, CardFileName), final.ToJson());
        return final;
    }

    /// <summary>
    /// Writes <c>model.onnx</c> (the model in ONNX, <paramref name="metadata"/> as its metadata) and the card naming it as the weights;
    /// <see cref="Load"/> reads it back through the ONNX importer. Returns the card written.
    /// </summary>
    public static ModelCard ExportOnnx(ZooModel model, ModelCard card, string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(card);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var onnx = Path.Combine(directory, OnnxFileName);
        Onnx.OnnxExporter.Export(model, onnx, metadata);
        var hash = Sha256Hex.OfFile(onnx);
        var final = card with { Format = "onnx", OnnxFile = OnnxFileName, OnnxSha256 = hash, WeightsFile = OnnxFileName, WeightsSha256 = hash, GraphFile = null, GraphSha256 = null };
        var cardPath = Path.Combine(directory, CardFileName);
        File.WriteAllText(cardPath + ".tmp", final.ToJson());
        File.Move(cardPath + ".tmp", cardPath, overwrite: true);
        return final;
    }

    /// <summary>Rebuilds the architecture from the card, loads the weights (CPU) and checks their SHA-256.</summary>
    public static ExportedModel Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var cardPath = Path.Combine(directory, CardFileName);
        if (!File.Exists(cardPath))
        {
            throw new FileNotFoundException($"No model card at '{cardPath}' (folder written by ModelExporter.Export).", cardPath);
        }

        var card = ModelCard.FromJson(File.ReadAllText(cardPath));
        if (card.OnnxFile is { } onnxFile)
        {
            var onnx = Onnx.OnnxImporter.Load(Path.Combine(directory, onnxFile));
            return new ExportedModel(onnx, card);
        }

        var weights = Path.Combine(directory, card.WeightsFile);
        if (!File.Exists(weights))
        {
            throw new FileNotFoundException($"Model card names weights '{weights}', which do not exist.", weights);
        }

        var hash = Sha256Hex.OfFile(weights);
        if (card.WeightsSha256.Length > 0 && !string.Equals(hash, card.WeightsSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Weights '{weights}' have SHA-256 {hash}, but the model card records {card.WeightsSha256}.");
        }

        var model = card.GraphFile is { } graphFile ? LoadGraph(Path.Combine(directory, graphFile), card, weights)
            : ModelZoo.IsZoo(card.Architecture.Kind) ? ModelZoo.Load(card.Architecture, weights)
            : throw new InvalidDataException($"Model card '{cardPath}' describes an imported model (architecture kind '{card.Architecture.Kind}') but names no graph file (field graphFile); "
                + $"TorchSharp weights alone cannot rebuild an imported graph. Export it again: format torchsharp now writes {GraphFile.FileName} beside {WeightsFileName}, or use format onnx.");
        model.eval();
        return new ExportedModel(model, card);
    }

    /// <summary>The exported graph (hash-checked) at the card's architecture with the weights loaded.</summary>
    private static ZooModel LoadGraph(string path, ModelCard card, string weights)
    {
        if (File.Exists(path) && card.GraphSha256 is { Length: > 0 } expected && Sha256Hex.OfFile(path) is var actual && !string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Graph file '{path}' has SHA-256 {actual}, but the model card records {expected}.");
        }

        var graph = GraphFile.Read(path);
        ZooModel model;
        try
        {
            model = new ZooModel(graph, card.Architecture, 0);
        }
        catch (Exception e) when (e is ArgumentException or Graph.GraphException)
        {
            throw new InvalidDataException($"Graph file '{path}' does not fit the model card's architecture {card.Architecture.ToCanonicalString()}: {e.Message}", e);
        }

        try
        {
            model.load(weights);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
