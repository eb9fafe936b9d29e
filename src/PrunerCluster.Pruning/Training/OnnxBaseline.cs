using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Onnx;
using TorchSharp;

namespace PrunerCluster.Pruning.Training;

/// <summary>
/// Turns a user's trained ONNX model into a baseline checkpoint without training: the file is copied into the cache under its SHA-256
/// (so the checkpoint identity is its content), its validation and test accuracy are measured, and metadata is written beside it.
/// </summary>
public static class OnnxBaseline
{
    public static BaselineCheckpoint Import(string onnxPath, DatasetDescriptor data, string cacheDirectory, DatasetCache cache, ulong splitSeed = 1, int? maxTestSamples = null, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(onnxPath);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(cache);
        Directory.CreateDirectory(cacheDirectory);
        var hash = Sha256Hex.OfFile(onnxPath);
        var stored = Path.GetFullPath(Path.Combine(cacheDirectory, $"onnx-{hash[..16]}.onnx"));
        var metadata = stored + ".json";
        var key = data.ToCanonicalString() + "|" + splitSeed + "|" + maxTestSamples;
        if (File.Exists(stored) && File.Exists(metadata))
        {
            var cached = BaselineCheckpoint.Load(metadata);
            if (cached.SettingsHash == Sha256Hex.Of(key))
            {
                progress?.Invoke($"baseline: reusing imported ONNX model {stored} (sha256 {hash[..12]})");
                return cached with { Path = stored };
            }
        }

        if (!File.Exists(stored) || Sha256Hex.OfFile(stored) != hash)
        {
            var temp = stored + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            File.Copy(onnxPath, temp, overwrite: true);
            File.Move(temp, stored, overwrite: true);
        }

        var split = cache.GetOrLoad(data, splitSeed);
        using var model = OnnxImporter.Load(stored);
        var a = model.Architecture;
        if (a.InChannels != split.Channels || a.ImageSize != split.ImageSize || a.Classes != split.Classes)
        {
            throw new ArgumentException($"ONNX model '{onnxPath}' takes {a.InChannels}x{a.ImageSize}x{a.ImageSize} images and outputs {a.Classes} classes; data set '{data.DisplayName}' has {split.Channels}x{split.ImageSize}x{split.ImageSize} images and {split.Classes} classes.", nameof(onnxPath));
        }

        var checkpoint = ImportedBaseline.Record(model, split, data, stored, OnnxImporter.Kind, hash, a, splitSeed, key, maxTestSamples, ct);
        progress?.Invoke($"baseline: imported ONNX model {onnxPath} ({a.ToCanonicalString()}), validation {checkpoint.ValidationAccuracy:P2}, test {checkpoint.TestAccuracy:P2}");
        return checkpoint;
    }
}
