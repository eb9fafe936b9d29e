using System.Collections.Concurrent;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>
/// Loads the unpruned source model after checking the checkpoint file's SHA-256 against the recorded one (a file's hash
/// is remembered while its timestamp and length stay the same). Thread-safe.
/// </summary>
internal sealed class LoadStage
{
    private readonly ConcurrentDictionary<string, (DateTime Stamp, long Length, string Hash)> verifiedHashes = new(StringComparer.Ordinal);

    /// <summary>The checkpoint's model on the run's device, in eval mode; the caller disposes it.</summary>
    public ZooModel Source(EvaluationRun c, DataSplit data) => c.Time("load", () =>
    {
        Verify(c.Checkpoint);
        return Load(c, data);
    });

    /// <summary>The unpruned model as deployed (<see cref="InferenceForm"/>), the reference latency is timed against.</summary>
    public static ZooModel InferenceReference(EvaluationRun c, DataSplit data)
    {
        using var source = Load(c, data);
        return InferenceForm.Fold(source);
    }

    private static ZooModel Load(EvaluationRun c, DataSplit data)
    {
        var m = ModelZoo.Load(c.Checkpoint.ResolveArchitecture(data), c.Checkpoint.Path);
        m.to(c.Device);
        m.eval();
        return m;
    }

    private void Verify(BaselineCheckpoint checkpoint)
    {
        var info = new FileInfo(checkpoint.Path);
        if (!info.Exists)
        {
            throw new InvalidDataException($"Checkpoint weights not found: '{checkpoint.Path}'.");
        }

        var key = info.FullName;
        if (verifiedHashes.TryGetValue(key, out var known) && known.Stamp == info.LastWriteTimeUtc && known.Length == info.Length)
        {
            Check(known.Hash);
            return;
        }

        var hash = Sha256Hex.OfFile(info.FullName);
        verifiedHashes[key] = (info.LastWriteTimeUtc, info.Length, hash);
        Check(hash);

        void Check(string actual)
        {
            if (!string.Equals(actual, checkpoint.ContentHash, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Checkpoint '{checkpoint.Path}' has SHA-256 {actual}, not the recorded {checkpoint.ContentHash}.");
            }
        }
    }
}
