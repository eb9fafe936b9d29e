namespace PrunerCluster.Pruning.Data;

/// <summary>The search optimizes on <see cref="Validation"/> (held out from the training file); <see cref="Test"/> only reports final results.</summary>
public sealed record DataSplit(string Name, ImageDataset Train, ImageDataset Validation, ImageDataset Test)
{
    public int Channels => Train.Channels;

    public int ImageSize => Train.ImageSize;

    public int Classes => Train.Classes;
}
