using System.Globalization;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;

namespace PrunerCluster.Engine.Backends;

/// <summary>What <see cref="TorchSharpEvaluationBackend.ExportStored"/> wrote.</summary>
public sealed record StoredExport(string Directory, string WeightsSha256, ModelCard Card)
{
    /// <summary>How this process obtained the baseline checkpoint the member was shrunk from (trained, cached, fetched, given).</summary>
    public string? BaselineOrigin { get; init; }
}

public sealed partial class TorchSharpEvaluationBackend
{
    public const string FormatTorchSharp = "torchsharp";
    public const string FormatOnnx = "onnx";

    /// <summary>
    /// Exports one evaluated individual from the fine-tuned weights its evaluation stored (no retraining): rebuilds the shrunk model from the
    /// checkpoint and mask, loads the stored weights (hash-verified), re-scores the validation samples the search scored (so the accuracy equals
    /// the reported one) and the test set, and writes model.bin or model.onnx (checked in ONNX Runtime) with its model card. Returns null when
    /// the store holds no weights for <paramref name="individualKey"/>.
    /// </summary>
    public StoredExport? ExportStored(ExperimentSpec spec, string maskText, string individualKey, string directory, string format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (format is not (FormatTorchSharp or FormatOnnx))
        {
            throw new ArgumentException($"Unknown export format '{format}'; expected {FormatTorchSharp} or {FormatOnnx}.", nameof(format));
        }

        if (_baselines.Artifacts.GetReference(individualKey) is not { } weightsHash)
        {
            return null;
        }

        var bytes = _baselines.Artifacts.Get(weightsHash) ?? throw new InvalidDataException($"Artifact store {_baselines.Artifacts} names weights {weightsHash[..12]} for individual {individualKey[..12]} but does not hold them.");
        var settings = ResolveSettings(spec);
        PrunerCluster.Pruning.TorchRuntime.EnsureInitialized(settings.Threads);
        var prepared = Prepare(spec, null, cancellationToken);
        var checkpoint = _baselines.Load(prepared).WithNormalization(settings.Normalization);
        var data = checkpoint.LoadData(_baselines.Datasets);
        var mask = GenomeMaskMapper.ToPruneMask(Genome.Parse(Layout(prepared), maskText), prepared, settings);
        using var source = ModelZoo.Load(checkpoint.ResolveArchitecture(data), checkpoint.Path);
        var resolved = MaskApplier.Resolve(source, mask, settings.EmptyGroups, settings.RoundChannelsTo);
        var kept = settings.Mode == PruningMode.Unstructured
            ? source.Architecture.Widths.ToDictionary(w => w.Group, w => Enumerable.Range(0, w.Units).ToArray(), StringComparer.Ordinal)
            : resolved.Kept.ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
        using var pruned = MaskApplier.Shrink(source, kept);
        using (var stream = new MemoryStream(bytes))
        {
            pruned.load(stream);
        }

        pruned.eval();
        var evalSet = data.Validation;
        var samples = Math.Min(settings.ValidationSamples, evalSet.Count);
        var validation = ClassificationMetrics.Evaluate(pruned, evalSet, samples, ct: cancellationToken);
        var test = ClassificationMetrics.Evaluate(pruned, data.Test, ct: cancellationToken);
        var footprint = ModelFootprint.Of(pruned);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.Accuracy] = validation.Accuracy,
            ["test_accuracy"] = test.Accuracy,
            ["test_samples"] = test.Samples,
            [MetricNames.Macs] = footprint.Macs,
            [MetricNames.Params] = footprint.Parameters,
            [MetricNames.SizeBytes] = footprint.SizeBytes,
        };
        var card = new ModelCard
        {
            Model = checkpoint.Model,
            Dataset = checkpoint.Dataset,
            DataRoot = checkpoint.DataRoot,
            DatasetSource = checkpoint.Source,
            Normalization = InputNormalization.Applied(settings.Normalization, data.Train),
            Architecture = pruned.Architecture,
            SourceArchitecture = source.Architecture,
            KeptIndices = kept,
            Mode = settings.Mode.ToString(),
            Metrics = metrics,
            MetricSources = metrics.Keys.ToDictionary(k => k, k => k is MetricNames.Accuracy or "test_accuracy" or "test_samples" ? "measured" : "analytic", StringComparer.Ordinal),
            Seed = settings.Seed,
            SourceSeed = checkpoint.Seed,
            SourceCheckpointHash = checkpoint.ContentHash,
            SourceCheckpointPath = checkpoint.Path,
            SettingsHash = settings.ContentHash,
            SettingsJson = settings.ToJson(),
            MaskHash = mask.ContentHash,
            ArtifactSha256 = weightsHash,
            Format = format,
            Notes = [.. resolved.Notes, string.Create(CultureInfo.InvariantCulture, $"accuracy: {samples} validation samples, as scored during the search; test_accuracy: the held-out test set ({data.Test.Count} samples)")],
        };

        return Write(pruned, card, metrics, evalSet, samples, checkpoint.ContentHash, directory, format);
    }

    /// <summary>
    /// Exports a member that final recovery retrained and saved to <paramref name="recoveredDirectory"/> (model.bin and its
    /// card, hash-verified): re-scores it on the held-out test set and writes model.bin or model.onnx (checked in ONNX
    /// Runtime) with its model card to <paramref name="directory"/>.
    /// </summary>
    public StoredExport ExportRecovered(ExperimentSpec spec, string recoveredDirectory, string directory, string format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(recoveredDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (format is not (FormatTorchSharp or FormatOnnx))
        {
            throw new ArgumentException($"Unknown export format '{format}'; expected {FormatTorchSharp} or {FormatOnnx}.", nameof(format));
        }

        var settings = ResolveSettings(spec);
        PrunerCluster.Pruning.TorchRuntime.EnsureInitialized(settings.Threads);
        var prepared = Prepare(spec, null, cancellationToken);
        var checkpoint = _baselines.Load(prepared).WithNormalization(settings.Normalization);
        var data = checkpoint.LoadData(_baselines.Datasets);
        using var recovered = ModelExporter.Load(recoveredDirectory);
        if (!string.Equals(recovered.Card.SourceCheckpointHash, checkpoint.ContentHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"The recovered model in '{recoveredDirectory}' was shrunk from checkpoint {recovered.Card.SourceCheckpointHash[..Math.Min(12, recovered.Card.SourceCheckpointHash.Length)]}, not from this experiment's {checkpoint.ContentHash[..12]}.");
        }

        var pruned = recovered.Model;
        pruned.eval();
        var test = ClassificationMetrics.Evaluate(pruned, data.Test, ct: cancellationToken);
        var metrics = new Dictionary<string, double>(recovered.Card.Metrics, StringComparer.Ordinal)
        {
            ["test_accuracy"] = test.Accuracy,
            ["test_samples"] = test.Samples,
        };
        var card = recovered.Card with
        {
            Metrics = metrics,
            MetricSources = new Dictionary<string, string>(recovered.Card.MetricSources, StringComparer.Ordinal) { ["test_accuracy"] = "measured", ["test_samples"] = "measured" },
            DataRoot = checkpoint.DataRoot,
            DatasetSource = checkpoint.Source,
            Normalization = InputNormalization.Applied(settings.Normalization, data.Train),
            Format = format,
            Notes = [.. recovered.Card.Notes, string.Create(CultureInfo.InvariantCulture, $"final recovery: retrained after the search (weights {recovered.Card.WeightsSha256[..Math.Min(12, recovered.Card.WeightsSha256.Length)]}); test_accuracy: the held-out test set ({data.Test.Count} samples), re-scored at export")],
        };
        return Write(pruned, card, metrics, data.Test, data.Test.Count, checkpoint.ContentHash, directory, format);
    }

    private StoredExport Write(ZooModel pruned, ModelCard card, Dictionary<string, double> metrics, PrunerCluster.Pruning.Data.ImageDataset checkSet, int checkSamples, string checkpointHash, string directory, string format)
    {
        Directory.CreateDirectory(directory);
        if (format == FormatTorchSharp)
        {
            var written = ModelExporter.Export(pruned, card with { OnnxFile = null, OnnxSha256 = null, OnnxRuntime = null }, directory);
            return new StoredExport(directory, card.ArtifactSha256 ?? written.WeightsSha256, written) { BaselineOrigin = BaselineOrigin(checkpointHash) };
        }

        var weightsHash = card.ArtifactSha256 ?? card.WeightsSha256;
        var metadata = new Dictionary<string, string>
        {
            ["prunercluster.mask_hash"] = card.MaskHash,
            ["prunercluster.source_checkpoint_sha256"] = card.SourceCheckpointHash,
            ["prunercluster.artifact_sha256"] = weightsHash,
            ["prunercluster.accuracy"] = metrics[MetricNames.Accuracy].ToString("R", CultureInfo.InvariantCulture),
            ["prunercluster.architecture"] = pruned.Architecture.ToCanonicalString(),
        };
        if (card.Normalization is { } normalization)
        {
            // What a deployment applies before the model: (pixel / 255 - mean[c]) / std[c].
            metadata["prunercluster.input_normalization"] = normalization.Kind;
            metadata["prunercluster.input_mean"] = string.Join(',', normalization.Mean.Select(m => m.ToString("R", CultureInfo.InvariantCulture)));
            metadata["prunercluster.input_std"] = string.Join(',', normalization.Std.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        }

        var onnx = ModelExporter.ExportOnnx(pruned, card, directory, metadata);
        var ort = OnnxRuntimeCheck.Compare(Path.Combine(directory, onnx.OnnxFile!), pruned, checkSet, checkSamples);
        var final = onnx with
        {
            OnnxRuntime = ort,
            Metrics = new Dictionary<string, double>(metrics) { ["onnx_runtime_accuracy"] = ort.OnnxAccuracy, ["onnx_runtime_max_abs_diff"] = ort.MaxAbsDifference },
        };
        var cardPath = Path.Combine(directory, ModelExporter.CardFileName);
        File.WriteAllText(cardPath + ".tmp", final.ToJson());
        File.Move(cardPath + ".tmp", cardPath, overwrite: true);
        return new StoredExport(directory, weightsHash, final) { BaselineOrigin = BaselineOrigin(checkpointHash) };
    }
}
