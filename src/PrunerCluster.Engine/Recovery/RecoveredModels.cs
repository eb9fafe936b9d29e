using PrunerCluster.Client.Output;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Export;

namespace PrunerCluster.Engine.Recovery;

/// <summary>Finds the model final recovery saved for one Pareto member of a run directory.</summary>
public static class RecoveredModels
{
    public const string Folder = FinalRecoveryResult.ModelsFolder;

    /// <summary>
    /// The recovered member with <paramref name="maskHash"/> and the folder holding its model.bin and card: first under the
    /// run directory's <see cref="Folder"/> (so a moved or copied run still works), then the path final.json recorded.
    /// Null when the run had no final recovery, did not recover this member, or its recovery failed.
    /// </summary>
    public static (RecoveredMember Member, string Directory)? Find(string runDirectory, string maskHash)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(maskHash);
        if (FinalRecoveryReport.Read(runDirectory) is not { } final)
        {
            return null;
        }

        var member = final.Members.FirstOrDefault(m => m.Succeeded && string.Equals(m.MaskHash, maskHash, StringComparison.OrdinalIgnoreCase));
        if (member?.ExportDirectory is not { } recorded)
        {
            return null;
        }

        string[] candidates = [Path.Combine(runDirectory, Folder, Path.GetFileName(recorded.TrimEnd('/', '\\'))), recorded];
        var found = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, ModelExporter.CardFileName)));
        return found is null ? null : (member, found);
    }

    /// <summary>Mask hashes of the members final recovery retrained successfully, in its order.</summary>
    public static IReadOnlyList<string> Hashes(string runDirectory) =>
        FinalRecoveryReport.Read(runDirectory) is { } final ? [.. final.Members.Where(m => m.Succeeded).Select(m => m.MaskHash)] : [];
}
