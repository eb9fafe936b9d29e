using System.Text.Json;
using System.Text.Json.Serialization;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Export;

/// <summary>JSON description shipped next to an exported pruned model: enough to rebuild it, trace it to its source and compare it.</summary>
public sealed record ModelCard
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Converters = { new JsonStringEnumConverter() } };

    public int SchemaVersion { get; init; } = 1;

    public required string Model { get; init; }

    /// <summary>The data set's display name (a catalog name such as fashion-mnist, or the name of a data set given by format).</summary>
    public required string Dataset { get; init; }

    /// <summary>The folder of a data set given by name (null: its default folder, or a data set given by format).</summary>
    public string? DataRoot { get; init; }

    /// <summary>The data set given by format and folder, as the search read it (null for the catalog names); see <see cref="ExportedDataset"/>.</summary>
    public DatasetDescriptor? DatasetSource { get; init; }

    /// <summary>
    /// The input normalisation the model was evaluated with and expects when deployed: <c>(pixel / 255 - mean[c]) / std[c]</c>
    /// (kind dataset, imagenet, none or explicit; null on cards written before it was recorded).
    /// </summary>
    public NormalizationConstants? Normalization { get; init; }

    public required ArchitectureSpec Architecture { get; init; }

    public ArchitectureSpec? SourceArchitecture { get; init; }

    public IReadOnlyDictionary<string, int[]> KeptIndices { get; init; } = new Dictionary<string, int[]>();

    public IReadOnlyDictionary<string, double> SparsityFractions { get; init; } = new Dictionary<string, double>();

    public string Mode { get; init; } = "Structured";

    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public IReadOnlyDictionary<string, string> MetricSources { get; init; } = new Dictionary<string, string>();

    public string EnergySource { get; init; } = "modeled";

    public string Device { get; init; } = "cpu";

    public ulong Seed { get; init; }

    public long SourceSeed { get; init; }

    public string SourceCheckpointHash { get; init; } = "";

    public string? SourceCheckpointPath { get; init; }

    public string SettingsHash { get; init; } = "";

    public string? SettingsJson { get; init; }

    public string MaskHash { get; init; } = "";

    public IReadOnlyList<string> Notes { get; init; } = [];

    public string WeightsFile { get; init; } = ModelExporter.WeightsFileName;

    public string WeightsSha256 { get; init; } = "";

    /// <summary>
    /// The model's graph (<see cref="Export.GraphFile"/>, JSON) next to the TorchSharp weights of a model whose architecture record cannot
    /// rebuild it (an imported ONNX model); null for the built-in models and ONNX exports.
    /// </summary>
    public string? GraphFile { get; init; }

    public string? GraphSha256 { get; init; }

    /// <summary>torchsharp (model.bin) or onnx (model.onnx, verified in ONNX Runtime).</summary>
    public string Format { get; init; } = "torchsharp";

    public string? OnnxFile { get; init; }

    public string? OnnxSha256 { get; init; }

    /// <summary>ONNX Runtime next to TorchSharp on the validation samples: accuracy, largest output difference, differing predictions.</summary>
    public Onnx.OnnxRuntimeReport? OnnxRuntime { get; init; }

    /// <summary>Where the weights came from: the artifact store key of the evaluated individual's fine-tuned weights (no retraining), or null when re-run.</summary>
    public string? ArtifactSha256 { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ModelCard FromJson(string json) => JsonSerializer.Deserialize<ModelCard>(json, JsonOptions) ?? throw new JsonException("Empty model card.");
}
