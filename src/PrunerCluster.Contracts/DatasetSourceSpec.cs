namespace PrunerCluster.Contracts;

/// <summary>
/// A data set chosen by on-disk format rather than by name: <c>"dataset": {"format": "idx", "root": "/data/digits", "validation": 0.1}</c>.
/// Formats: <c>idx</c>, <c>cifar-binary</c>, <c>image-folder</c> (see <see cref="Formats"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("prunercluster.DatasetSourceSpec")]
public sealed record DatasetSourceSpec
{
    public const string Idx = "idx";
    public const string CifarBinary = "cifar-binary";
    public const string ImageFolder = "image-folder";

    public static IReadOnlyList<string> Formats { get; } = [Idx, CifarBinary, ImageFolder];

    [Id(0)] public string Format { get; init; } = "";

    [Id(1)] public string Root { get; init; } = "";

    /// <summary>Display name; defaults to the folder name.</summary>
    [Id(2)] public string? Name { get; init; }

    /// <summary>image-folder: the side length images are resized to (required); cifar-binary: record image size (default 32).</summary>
    [Id(3)] public int? ImageSize { get; init; }

    /// <summary>image-folder: 1 or 3 (default 3); cifar-binary: channels per record (default 3).</summary>
    [Id(4)] public int? Channels { get; init; }

    /// <summary>Label count; by default the largest label + 1, or the number of class folders.</summary>
    [Id(5)] public int? Classes { get; init; }

    /// <summary>cifar-binary: label bytes per record (CIFAR-100: 2, the last is used). Default 1.</summary>
    [Id(6)] public int? LabelBytes { get; init; }

    /// <summary>Validation hold-out from the training data: a fraction in (0, 1) or a count (an integer &gt;= 1). Default 10%, at most 5000.</summary>
    [Id(7)] public double? Validation { get; init; }

    /// <summary>image-folder without a test/ folder: fraction of each class held out as test set (default 0.2).</summary>
    [Id(8)] public double? TestFraction { get; init; }

    /// <summary>Input normalisation (<see cref="InputNormalizationSpec"/>); null: the training files' per-channel statistics.</summary>
    [Id(9)] public InputNormalizationSpec? Normalize { get; init; }
}
