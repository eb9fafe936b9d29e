using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Training;

/// <summary>
/// The last step of importing a baseline someone else trained (ONNX, PyTorch weights): score it on the validation split
/// and the (optionally capped) test split, and write its checkpoint metadata atomically under a unique temporary name, so
/// processes sharing the checkpoint cache may import the same baseline at once.
/// </summary>
internal static class ImportedBaseline
{
    public static BaselineCheckpoint Record(
        ZooModel model,
        DataSplit split,
        DatasetDescriptor data,
        string storedPath,
        string kind,
        string contentHash,
        ArchitectureSpec architecture,
        ulong splitSeed,
        string settingsKey,
        int? maxTestSamples,
        CancellationToken ct)
    {
        var test = maxTestSamples is { } m ? split.Test.Take(m) : split.Test;
        var validation = ClassificationMetrics.Evaluate(model, split.Validation, ct: ct);
        var testReport = ClassificationMetrics.Evaluate(model, test, ct: ct);
        var checkpoint = new BaselineCheckpoint(storedPath, kind, data.DisplayName, contentHash, testReport.Accuracy, validation.Accuracy, 0)
        {
            Architecture = architecture,
            Source = data,
            SplitSeed = splitSeed,
            SettingsHash = Sha256Hex.Of(settingsKey),
        };
        var metadata = storedPath + ".json";
        var temp = metadata + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp";
        File.WriteAllText(temp, checkpoint.ToJson());
        File.Move(temp, metadata, overwrite: true);
        return checkpoint;
    }
}
