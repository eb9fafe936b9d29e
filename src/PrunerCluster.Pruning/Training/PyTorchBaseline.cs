using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Training;

/// <summary>
/// Turns PyTorch weights (a state_dict in .pt/.pth/.bin or .safetensors) for a built-in architecture into a baseline checkpoint without
/// training: the weights are checked against the architecture sized for the data (every missing, unexpected and mis-shaped name is
/// reported at once), loaded, saved in TorchSharp's format under the cache, and their validation and test accuracy measured.
/// </summary>
public static class PyTorchBaseline
{
    public static BaselineCheckpoint Import(string weightsPath, string kind, DatasetDescriptor data, string cacheDirectory, DatasetCache cache, ulong splitSeed = 1, int? maxTestSamples = null, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(weightsPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(cache);
        if (!File.Exists(weightsPath))
        {
            throw new StateDictException($"PyTorch weights '{weightsPath}' do not exist.");
        }

        Directory.CreateDirectory(cacheDirectory);
        var hash = Sha256Hex.OfFile(weightsPath);
        var stored = Path.GetFullPath(Path.Combine(cacheDirectory, $"pytorch-{kind}-{hash[..16]}.bin"));
        var metadata = stored + ".json";
        var key = kind + "|" + hash + "|" + data.ToCanonicalString() + "|" + splitSeed + "|" + maxTestSamples;
        if (File.Exists(stored) && File.Exists(metadata))
        {
            var cached = BaselineCheckpoint.Load(metadata);
            if (cached.SettingsHash == Sha256Hex.Of(key))
            {
                progress?.Invoke($"baseline: reusing imported PyTorch weights {stored} (sha256 {hash[..12]})");
                return cached with { Path = stored };
            }
        }

        var split = cache.GetOrLoad(data, splitSeed);
        var architecture = ModelZoo.DefaultArchitecture(kind, split.Channels, split.ImageSize, split.Classes);
        using var model = ModelZoo.Create(architecture);
        PyTorchStateDict.Load(model, weightsPath);
        var temp = stored + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        model.save(temp);
        File.Move(temp, stored, overwrite: true);

        var checkpoint = ImportedBaseline.Record(model, split, data, stored, kind, Sha256Hex.OfFile(stored), architecture, splitSeed, key, maxTestSamples, ct);
        progress?.Invoke($"baseline: imported PyTorch weights {weightsPath} into {architecture.ToCanonicalString()}, validation {checkpoint.ValidationAccuracy:P2}, test {checkpoint.TestAccuracy:P2}");
        return checkpoint;
    }
}
