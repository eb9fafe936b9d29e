namespace PrunerCluster.Pruning.Data;

/// <summary>On-disk layouts a data set can be read from; a data set is chosen by format and folder, never by name.</summary>
public static class DatasetFormats
{
    /// <summary>IDX files (MNIST layout): train-images/train-labels and t10k-/test- images/labels, raw or .gz, any square size, any class count.</summary>
    public const string Idx = "idx";

    /// <summary>CIFAR binary batches: every *.bin file with "test" in its name is test data, the others training data; records are label byte(s) + C*H*W pixels.</summary>
    public const string CifarBinary = "cifar-binary";

    /// <summary>One folder per class holding PNG/JPEG files, optionally below train/ and test/ folders; resized to the given size.</summary>
    public const string ImageFolder = "image-folder";

    public static IReadOnlyList<string> All { get; } = [Idx, CifarBinary, ImageFolder];
}
