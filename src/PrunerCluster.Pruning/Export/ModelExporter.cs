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
        var final = card with { WeightsFile = WeightsFileName, WeightsSha256 = Hashing.FileSha256Hex(weights) };
        File.WriteAllText(Path.Combine(directory, CardFileName), final.ToJson());
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

        var hash = Hashing.FileSha256Hex(weights);
        if (card.WeightsSha256.Length > 0 && !string.Equals(hash, card.WeightsSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Weights '{weights}' have SHA-256 {hash}, but the model card records {card.WeightsSha256}.");
        }

        var model = ModelZoo.Load(card.Architecture, weights);
        model.eval();
        return new ExportedModel(model, card);
    }
}
