using System.Globalization;

namespace PrunerCluster.Pruning.Data;

/// <summary>
/// How pixels become model inputs: <c>(pixel / 255 - mean[c]) / std[c]</c> per channel <c>c</c>. The choice travels as canonical
/// text (data set descriptors, evaluation settings, cache keys): <see cref="Dataset"/> (the default: the training file's own
/// per-channel statistics), <see cref="Imagenet"/> (RGB only), <see cref="None"/> (pixels scaled to [0, 1]) or explicit constants
/// <c>mean=0.5,0.5,0.5;std=0.25,0.25,0.25</c>. Null and <see cref="Dataset"/> mean the same and are written as null, so keys made
/// before the choice existed are unchanged.
/// </summary>
public static class InputNormalization
{
    public const string Dataset = "dataset";
    public const string Imagenet = "imagenet";
    public const string None = "none";

    public static IReadOnlyList<float> ImagenetMean { get; } = [0.485f, 0.456f, 0.406f];

    public static IReadOnlyList<float> ImagenetStd { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>True for the default (the training file's statistics).</summary>
    public static bool IsDefault(string? normalization) =>
        string.IsNullOrWhiteSpace(normalization) || string.Equals(normalization.Trim(), Dataset, StringComparison.OrdinalIgnoreCase);

    /// <summary>The canonical text for a preset or explicit constants; null for the default.</summary>
    public static string? Canonical(string? normalization)
    {
        if (IsDefault(normalization))
        {
            return null;
        }

        var text = normalization!.Trim();
        if (string.Equals(text, Imagenet, StringComparison.OrdinalIgnoreCase))
        {
            return Imagenet;
        }

        if (string.Equals(text, None, StringComparison.OrdinalIgnoreCase))
        {
            return None;
        }

        var (mean, std) = ParseExplicit(text);
        return Explicit([.. mean.Select(m => (double)m)], [.. std.Select(v => (double)v)]);
    }

    /// <summary>Canonical text of explicit per-channel constants.</summary>
    public static string Explicit(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        return "mean=" + string.Join(',', mean.Select(v => ((float)v).ToString("R", CultureInfo.InvariantCulture)))
            + ";std=" + string.Join(',', std.Select(v => ((float)v).ToString("R", CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// The constants for a data set of <paramref name="channels"/> channels, or null for the default (the caller keeps the training file's
    /// statistics). Throws <see cref="DatasetException"/> naming the choice and the channel count when they do not fit.
    /// </summary>
    public static (float[] Mean, float[] Std)? Constants(string? normalization, int channels)
    {
        var canonical = Canonical(normalization);
        switch (canonical)
        {
            case null:
                return null;
            case None:
                return (new float[channels], Enumerable.Repeat(1f, channels).ToArray());
            case Imagenet:
                if (channels != 3)
                {
                    throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Input normalisation 'imagenet' takes RGB images (3 channels); this data set has {channels}. Use \"dataset\", \"none\" or explicit {{\"mean\": [...], \"std\": [...]}} with {channels} value(s) each."));
                }

                return (ImagenetMean.ToArray(), ImagenetStd.ToArray());
        }

        var (mean, std) = ParseExplicit(canonical);
        if (mean.Length != channels || std.Length != channels)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Input normalisation '{canonical}' gives {mean.Length} mean and {std.Length} std value(s); this data set has {channels} channel(s)."));
        }

        if (std.Any(s => !(s > 0) || float.IsInfinity(s)) || mean.Any(m => !float.IsFinite(m)))
        {
            throw new DatasetException($"Input normalisation '{canonical}': every std must be a finite number above 0 and every mean finite.");
        }

        return (mean, std);
    }

    /// <summary>The train and test sets of one data set with <paramref name="normalization"/> applied (the same for both); unchanged for the default.</summary>
    public static (ImageDataset Train, ImageDataset Test) Apply(string? normalization, ImageDataset train, ImageDataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (Constants(normalization, train.Channels) is not { } c)
        {
            return (train, test);
        }

        return (train.WithNormalization(c.Mean, c.Std), test.WithNormalization(c.Mean, c.Std));
    }

    /// <summary>What a data set's images are normalised with: the choice's kind and the per-channel constants in effect.</summary>
    public static NormalizationConstants Applied(string? normalization, ImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new NormalizationConstants(Kind(normalization), [.. data.Mean], [.. data.Std]);
    }

    /// <summary>The name of a canonical choice for people: <c>dataset</c>, <c>imagenet</c>, <c>none</c> or <c>explicit</c>.</summary>
    public static string Kind(string? normalization) => Canonical(normalization) switch
    {
        null => Dataset,
        Imagenet => Imagenet,
        None => None,
        _ => "explicit",
    };

    private static (float[] Mean, float[] Std) ParseExplicit(string text)
    {
        var parts = text.Split(';', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !parts[0].StartsWith("mean=", StringComparison.Ordinal) || !parts[1].StartsWith("std=", StringComparison.Ordinal))
        {
            throw new DatasetException($"Input normalisation '{text}' is none of dataset, imagenet, none or 'mean=m1,m2,...;std=s1,s2,...'.");
        }

        return (Numbers(parts[0]["mean=".Length..], text), Numbers(parts[1]["std=".Length..], text));
    }

    private static float[] Numbers(string list, string text) =>
        list.Split(',', StringSplitOptions.TrimEntries).Select(v => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var f)
            ? f
            : throw new DatasetException($"Input normalisation '{text}': '{v}' is not a number.")).ToArray();
}

/// <summary>
/// The input normalisation in effect, as run outputs record it (model card, run summary): <see cref="Kind"/> is <c>dataset</c>,
/// <c>imagenet</c>, <c>none</c> or <c>explicit</c>; a model expects <c>(pixel / 255 - Mean[c]) / Std[c]</c> per channel.
/// </summary>
public sealed record NormalizationConstants(string Kind, IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Kind}: mean {string.Join(", ", Mean.Select(m => m.ToString("0.####", CultureInfo.InvariantCulture)))}, std {string.Join(", ", Std.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))}");
}
