namespace PrunerCluster.Pruning.Data;

/// <summary>What a data set holds, read from headers, file sizes and folder listings without decoding images.</summary>
public sealed record DatasetInfo(string Name, int TrainCount, int TestCount, int Channels, int ImageSize, int Classes);
