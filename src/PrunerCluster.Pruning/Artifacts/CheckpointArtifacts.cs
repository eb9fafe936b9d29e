using System.Text;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Artifacts;

/// <summary>
/// Baseline checkpoints through an <see cref="IArtifactStore"/>, so a silo (or the CLI) on another machine evaluates and
/// exports from the checkpoint another silo prepared: the weights are a blob under their own SHA-256 (the checkpoint's
/// <see cref="BaselineCheckpoint.ContentHash"/>), the metadata a blob named by <see cref="ByHash"/> and, for a trained
/// baseline, by <see cref="BySettings"/> (its training settings hash), so a process that would train it fetches it instead.
/// </summary>
public static class CheckpointArtifacts
{
    public static string ByHash(string checkpointHash) => "checkpoint/" + checkpointHash;

    public static string BySettings(string trainingSettingsHash) => "baseline/" + trainingSettingsHash;

    /// <summary>Stores the weights and metadata (idempotent) and points both references at the metadata.</summary>
    public static void Publish(IArtifactStore store, BaselineCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var weights = store.PutFile(checkpoint.Path);
        if (!string.Equals(weights, checkpoint.ContentHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Checkpoint '{checkpoint.Path}' has SHA-256 {weights}, not the recorded {checkpoint.ContentHash}: not published.");
        }

        var metadata = store.Put(Encoding.UTF8.GetBytes((checkpoint with { Path = "" }).ToJson()));
        store.SetReference(ByHash(checkpoint.ContentHash), metadata);
        if (checkpoint.SettingsHash is { Length: > 0 } settings)
        {
            store.SetReference(BySettings(settings), metadata);
        }
    }

    /// <summary>
    /// Fetches the checkpoint a reference names into <paramref name="weightsPath"/> (metadata beside it as
    /// <c>&lt;weightsPath&gt;.json</c>), verified; null when the store knows no such reference.
    /// </summary>
    public static BaselineCheckpoint? TryFetch(IArtifactStore store, string reference, string weightsPath)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(weightsPath);
        if (store.GetReference(reference) is not { } metadataKey)
        {
            return null;
        }

        var json = store.Get(metadataKey) ?? throw new InvalidDataException($"The artifact store names checkpoint metadata {metadataKey[..12]} for '{reference}' but does not hold it.");
        var path = Path.GetFullPath(weightsPath);
        var checkpoint = BaselineCheckpoint.FromJson(Encoding.UTF8.GetString(json)) with { Path = path };
        if (!store.TryWriteTo(checkpoint.ContentHash, path))
        {
            throw new InvalidDataException($"The artifact store names checkpoint weights {checkpoint.ContentHash[..12]} for '{reference}' but does not hold them.");
        }

        var metadataPath = path + ".json";
        var temp = metadataPath + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp";
        File.WriteAllText(temp, checkpoint.ToJson());
        File.Move(temp, metadataPath, overwrite: true);
        checkpoint.Verify();
        return checkpoint;
    }
}
