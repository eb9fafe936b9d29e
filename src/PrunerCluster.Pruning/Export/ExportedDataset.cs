using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Export;

/// <summary>
/// The data set an exported model was searched on, read back from its model card the way the search read it
/// (<see cref="BaselineCheckpoint.LoadData"/>): by format and folder when the card records <see cref="ModelCard.DatasetSource"/>,
/// else by catalog name and folder. Cards written before the card carried its data set fall back to the source checkpoint's metadata.
/// </summary>
public static class ExportedDataset
{
    /// <summary>
    /// The descriptor for <paramref name="card"/>; <paramref name="dataRoot"/>, when given, replaces the recorded folder (the data moved).
    /// Throws <see cref="DatasetException"/> naming the card's field, its value and what is expected when the card names no usable data set.
    /// </summary>
    public static DatasetDescriptor Resolve(ModelCard card, string? dataRoot)
    {
        ArgumentNullException.ThrowIfNull(card);
        var recorded = card.DatasetSource is null && card.DataRoot is null ? SourceCheckpoint(card) : null;
        if ((card.DatasetSource ?? recorded?.Source) is { } source)
        {
            return dataRoot is null ? source : source with { Root = dataRoot };
        }

        var root = dataRoot ?? card.DataRoot ?? recorded?.DataRoot;
        if (DatasetDescriptor.FromName(card.Dataset, root) is { } named)
        {
            return named;
        }

        if (DatasetCatalog.Names.Contains(card.Dataset.Trim().ToLowerInvariant(), StringComparer.Ordinal))
        {
            throw new DatasetException($"The model card's dataset '{card.Dataset}' records no folder; give the folder holding its files with --data-root. {DatasetCatalog.Cifar10Hint}");
        }

        throw new DatasetException($"The model card's dataset '{card.Dataset}' is no catalog name ({string.Join(", ", DatasetCatalog.Names)}) and the card records no datasetSource (format and folder), "
            + $"nor does its source checkpoint '{card.SourceCheckpointPath ?? "(none)"}' still exist to say how the data set was given. Re-export the model with this version, which records the data set in the card.");
    }

    /// <summary>The source checkpoint's metadata (<c>&lt;weights&gt;.json</c>), when the card names one that still exists.</summary>
    private static BaselineCheckpoint? SourceCheckpoint(ModelCard card)
    {
        if (card.SourceCheckpointPath is not { Length: > 0 } path || !File.Exists(path + ".json"))
        {
            return null;
        }

        try
        {
            return BaselineCheckpoint.FromJson(File.ReadAllText(path + ".json"));
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
