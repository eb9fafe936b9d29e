using System.Text.Json;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Training;

/// <summary>
/// A trained, unpruned model on disk (TorchSharp state-dict format) with its accuracy. <see cref="ContentHash"/> is the hex SHA-256 of the
/// weights file and belongs in every evaluation cache key. The split fields say how to rebuild the same train/validation split.
/// </summary>
public sealed record BaselineCheckpoint(string Path, string Model, string Dataset, string ContentHash, double TestAccuracy, double ValidationAccuracy, long Seed)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Architecture of the saved weights; when null the zoo default for <see cref="Model"/> on the dataset's shape is assumed.</summary>
    public ArchitectureSpec? Architecture { get; init; }

    public string? DataRoot { get; init; }

    /// <summary>The data set by format (null for the historical named data sets, which use <see cref="Dataset"/>, <see cref="DataRoot"/> and <see cref="ValidationSize"/>).</summary>
    public DatasetDescriptor? Source { get; init; }

    public int ValidationSize { get; init; } = 5000;

    public ulong SplitSeed { get; init; } = 1;

    public double TrainingSeconds { get; init; }

    public int Epochs { get; init; }

    public string? SettingsHash { get; init; }

    /// <summary>The train/validation/test split this checkpoint was trained and is evaluated on.</summary>
    public DataSplit LoadData(DatasetCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        return Source is { } source ? cache.GetOrLoad(source, SplitSeed) : cache.GetOrLoad(Dataset, DataRoot, ValidationSize, SplitSeed);
    }

    /// <summary>
    /// This checkpoint read with the input normalisation <paramref name="normalization"/> (<see cref="InputNormalization"/>; null: the
    /// training file's statistics), as an evaluation's settings ask: one ONNX file imported by two experiments is one checkpoint
    /// (one weights hash) whose metadata records whichever normalisation imported it last, so evaluations take theirs from their
    /// settings. A data set given by name (no <see cref="Source"/>) has only the default; another choice is refused.
    /// </summary>
    public BaselineCheckpoint WithNormalization(string? normalization)
    {
        var canonical = InputNormalization.Canonical(normalization);
        if (Source is { } source)
        {
            return InputNormalization.Canonical(source.Normalization) == canonical ? this : this with { Source = source with { Normalization = canonical } };
        }

        return canonical is null
            ? this
            : throw new ArgumentException($"Input normalisation '{canonical}' needs the data set given as an object (\"dataset\": {{\"format\": ..., \"root\": ..., \"normalize\": ...}}); checkpoint '{Path}' reads '{Dataset}' by name.", nameof(normalization));
    }

    /// <summary>
    /// What per-process caches of results on this checkpoint's data (validation accuracy, teacher logits, the learning-rate
    /// choice) are keyed by: the weights hash, plus the input normalisation when it is not the default.
    /// </summary>
    public string DataKey => InputNormalization.Canonical(Source?.Normalization) is { } n ? ContentHash + "|normalize=" + n : ContentHash;

    public ArchitectureSpec ResolveArchitecture(DataSplit data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Architecture ?? ModelZoo.DefaultArchitecture(Model, data.Channels, data.ImageSize, data.Classes);
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static BaselineCheckpoint FromJson(string json) =>
        JsonSerializer.Deserialize<BaselineCheckpoint>(json, JsonOptions) ?? throw new JsonException("Empty checkpoint metadata.");

    /// <summary>Reads the metadata written next to the weights (<c>&lt;weights&gt;.json</c>) and checks the weights still match the recorded hash.</summary>
    public static BaselineCheckpoint Load(string metadataPath)
    {
        if (!File.Exists(metadataPath))
        {
            throw new FileNotFoundException($"Checkpoint metadata not found: '{metadataPath}' (JSON written by BaselineTrainer).", metadataPath);
        }

        var checkpoint = FromJson(File.ReadAllText(metadataPath));
        checkpoint.Verify();
        return checkpoint;
    }

    public void Verify()
    {
        if (!File.Exists(Path))
        {
            throw new FileNotFoundException($"Checkpoint weights not found: '{Path}'.", Path);
        }

        var actual = Sha256Hex.OfFile(Path);
        if (!string.Equals(actual, ContentHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Checkpoint '{Path}' has SHA-256 {actual} but its metadata records {ContentHash}: the file changed or is corrupt.");
        }
    }
}
