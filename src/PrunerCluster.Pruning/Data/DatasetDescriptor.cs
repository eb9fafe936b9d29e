using System.Globalization;
using System.Text;

namespace PrunerCluster.Pruning.Data;

/// <summary>
/// Where and how to read a data set: its <see cref="Format"/>, folder and format options, and how much of the training data the search
/// holds out for validation (a fraction or a count). Its canonical string identifies the data in cache keys and checkpoints.
/// </summary>
public sealed record DatasetDescriptor
{
    /// <summary>Default validation hold-out when neither a count nor a fraction is given: 10% of the training data, at most 5000.</summary>
    public const int DefaultValidationCap = 5000;

    public required string Format { get; init; }

    public required string Root { get; init; }

    /// <summary>Display name (reports, file stems); defaults to the format.</summary>
    public string? Name { get; init; }

    /// <summary>image-folder: side length images are resized to (required). cifar-binary: record image size (default 32).</summary>
    public int? ImageSize { get; init; }

    /// <summary>image-folder: 1 (grayscale) or 3 (RGB, default). cifar-binary: channels per record (default 3).</summary>
    public int? Channels { get; init; }

    /// <summary>Number of classes; by default the largest label + 1 (idx, cifar-binary) or the number of class folders.</summary>
    public int? Classes { get; init; }

    /// <summary>cifar-binary: label bytes before each record (CIFAR-100 has 2: coarse, fine); the last one is the class.</summary>
    public int? LabelBytes { get; init; }

    public int? ValidationCount { get; init; }

    public double? ValidationFraction { get; init; }

    /// <summary>image-folder without a test/ folder: share of each class's files held out as the test set (default 0.2).</summary>
    public double? TestFraction { get; init; }

    /// <summary>
    /// How pixels are normalised (<see cref="InputNormalization"/> canonical text); null: the training file's per-channel statistics.
    /// Part of <see cref="ToCanonicalString"/> only when set, so descriptors without it keep their keys.
    /// </summary>
    public string? Normalization { get; init; }

    public string DisplayName => Name ?? Format;

    /// <summary>Maps the historical names ("fashion-mnist", "cifar10") onto formats; null for an unknown name.</summary>
    public static DatasetDescriptor? FromName(string name, string? root, int? validationCount = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name.Trim().ToLowerInvariant() switch
        {
            DatasetCatalog.FashionMnist => new DatasetDescriptor { Format = DatasetFormats.Idx, Root = root ?? DatasetCatalog.FashionMnistDefaultRoot, Name = DatasetCatalog.FashionMnist, ValidationCount = validationCount },
            DatasetCatalog.Cifar10 => root is null ? null : new DatasetDescriptor { Format = DatasetFormats.CifarBinary, Root = root, Name = DatasetCatalog.Cifar10, Classes = 10, ValidationCount = validationCount },
            DatasetFormats.Idx or DatasetFormats.CifarBinary or DatasetFormats.ImageFolder when root is not null => new DatasetDescriptor { Format = name.Trim().ToLowerInvariant(), Root = root, ValidationCount = validationCount },
            _ => null,
        };
    }

    /// <summary>The validation count for a training file of <paramref name="trainCount"/> images; throws <see cref="DatasetException"/> naming the size when it cannot be met.</summary>
    public int ResolveValidation(int trainCount)
    {
        if (ValidationCount is { } count)
        {
            if (count < 1 || count >= trainCount)
            {
                throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Data set '{DisplayName}' at '{Root}' has {trainCount} training images; a validation split of {count} must be between 1 and {trainCount - 1} so that training images remain. Give a smaller count or a fraction such as 0.1."));
            }

            return count;
        }

        if (ValidationFraction is { } fraction)
        {
            if (!(fraction > 0 && fraction < 1))
            {
                throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Data set '{DisplayName}': validation fraction {fraction} must be in (0, 1)."));
            }

            var n = (int)Math.Round(fraction * trainCount, MidpointRounding.AwayFromZero);
            if (n < 1 || n >= trainCount)
            {
                throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Data set '{DisplayName}' at '{Root}' has {trainCount} training images; a validation fraction of {fraction} gives {n} images, which leaves no validation or no training data."));
            }

            return n;
        }

        if (trainCount < 2)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Data set '{DisplayName}' at '{Root}' has {trainCount} training image(s); at least 2 are needed to hold out a validation split."));
        }

        return Math.Clamp(trainCount / 10, 1, DefaultValidationCap);
    }

    public string ToCanonicalString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"format={Format};root={Root};name={Name};size={ImageSize};ch={Channels};classes={Classes};labelBytes={LabelBytes};");
        sb.Append(CultureInfo.InvariantCulture, $"val={ValidationCount};valFraction={ValidationFraction?.ToString("R", CultureInfo.InvariantCulture)};testFraction={TestFraction?.ToString("R", CultureInfo.InvariantCulture)}");
        if (InputNormalization.Canonical(Normalization) is { } normalization)
        {
            sb.Append(";normalize=").Append(normalization);
        }

        return sb.ToString();
    }
}
