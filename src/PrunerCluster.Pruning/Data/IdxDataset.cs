using System.Buffers.Binary;
using System.IO.Compression;

namespace PrunerCluster.Pruning.Data;

/// <summary>
/// The <c>idx</c> format: a folder with training and test image/label files in IDX (raw or gzip), as MNIST ships them. Any square image
/// size and any number of classes (the largest label + 1 unless the descriptor gives more).
/// </summary>
internal static class IdxDataset
{
    public const string Layout = "a folder with train-images-idx3-ubyte, train-labels-idx1-ubyte and t10k- (or test-) images/labels files, raw or .gz";

    private static readonly string[] TrainImages = ["train-images"];
    private static readonly string[] TrainLabels = ["train-labels"];
    private static readonly string[] TestImages = ["t10k-images", "test-images"];
    private static readonly string[] TestLabels = ["t10k-labels", "test-labels"];

    public static string? Missing(DatasetDescriptor d)
    {
        if (!Directory.Exists(d.Root))
        {
            return $"Data set folder '{d.Root}' does not exist (format '{DatasetFormats.Idx}': {Layout}).{Hint(d)}";
        }

        var absent = new[] { ("train images", TrainImages), ("train labels", TrainLabels), ("test images", TestImages), ("test labels", TestLabels) }
            .Where(f => Find(d.Root, f.Item2) is null)
            .Select(f => f.Item1 + " (" + string.Join(" or ", f.Item2.Select(p => p + "*")) + ")")
            .ToArray();
        return absent.Length == 0 ? null : $"IDX files missing in '{d.Root}': {string.Join(", ", absent)} (format '{DatasetFormats.Idx}': {Layout}).{Hint(d)}";
    }

    public static DatasetInfo Probe(DatasetDescriptor d)
    {
        ThrowIfMissing(d);
        var trainImages = Header(Find(d.Root, TrainImages)!, 3, d);
        var testImages = Header(Find(d.Root, TestImages)!, 3, d);
        var trainLabels = IdxReader.ReadLabels(Find(d.Root, TrainLabels)!, Hint(d));
        var testLabels = IdxReader.ReadLabels(Find(d.Root, TestLabels)!, Hint(d));
        Check(trainImages[0] == trainLabels.Length, d, $"train images ({trainImages[0]}) and labels ({trainLabels.Length}) differ in count");
        Check(testImages[0] == testLabels.Length, d, $"test images ({testImages[0]}) and labels ({testLabels.Length}) differ in count");
        Check(trainImages[1] == trainImages[2] && testImages[1] == trainImages[1] && testImages[2] == trainImages[2], d, $"images must be square and equal in size (train {trainImages[1]}x{trainImages[2]}, test {testImages[1]}x{testImages[2]})");
        var classes = Classes(d, trainLabels, testLabels);
        return new DatasetInfo(d.DisplayName, trainImages[0], testImages[0], 1, trainImages[1], classes);
    }

    public static (ImageDataset Train, ImageDataset Test) Load(DatasetDescriptor d)
    {
        var info = Probe(d);
        var hint = Hint(d);
        var trainImages = IdxReader.ReadImages(Find(d.Root, TrainImages)!, hint);
        var trainLabels = IdxReader.ReadLabels(Find(d.Root, TrainLabels)!, hint);
        var testImages = IdxReader.ReadImages(Find(d.Root, TestImages)!, hint);
        var testLabels = IdxReader.ReadLabels(Find(d.Root, TestLabels)!, hint);
        var train = new ImageDataset(d.DisplayName, trainImages.Pixels, trainLabels, 1, info.ImageSize, info.Classes);
        var test = new ImageDataset(d.DisplayName + "/test", testImages.Pixels, testLabels, 1, info.ImageSize, info.Classes, train.Mean.ToArray(), train.Std.ToArray());
        return (train, test);
    }

    internal static int Classes(DatasetDescriptor d, byte[] trainLabels, byte[] testLabels)
    {
        Check(trainLabels.Length > 0, d, "the training labels file is empty");
        var largest = Math.Max(trainLabels.Max(), testLabels.Length == 0 ? (byte)0 : testLabels.Max());
        if (d.Classes is { } given)
        {
            Check(given > largest, d, $"the spec gives {given} classes but a label is {largest}");
            return given;
        }

        return largest + 1;
    }

    private static void ThrowIfMissing(DatasetDescriptor d)
    {
        if (Missing(d) is { } message)
        {
            throw new DatasetException(message);
        }
    }

    private static string Hint(DatasetDescriptor d) =>
        d.Name == DatasetCatalog.FashionMnist ? " " + DatasetCatalog.FashionMnistHint : "";

    private static void Check(bool ok, DatasetDescriptor d, string problem)
    {
        if (!ok)
        {
            throw new DatasetException(d.Root, IdxReader.ImagesFormat, Hint(d).Trim(), "Inconsistent IDX files: " + problem);
        }
    }

    private static string? Find(string root, string[] prefixes)
    {
        var files = Directory.EnumerateFiles(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        foreach (var prefix in prefixes)
        {
            var dotted = prefix.Replace("-images", "-images.", StringComparison.Ordinal).Replace("-labels", "-labels.", StringComparison.Ordinal);
            var match = files.FirstOrDefault(f => f.StartsWith(prefix + "-idx", StringComparison.Ordinal) || f.StartsWith(dotted + "idx", StringComparison.Ordinal)
                || f == prefix || f == prefix + ".gz");
            if (match is not null)
            {
                return Path.Combine(root, match);
            }
        }

        return null;
    }

    /// <summary>Dimensions from an IDX header, decompressing only its first bytes.</summary>
    private static int[] Header(string path, int dims, DatasetDescriptor d)
    {
        var length = 4 + (4 * dims);
        var header = new byte[length];
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            var isGzip = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            file.Position = 0;
            using Stream stream = isGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            var read = 0;
            while (read < length)
            {
                var n = stream.Read(header, read, length - read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            if (read < length || header[0] != 0 || header[1] != 0 || header[2] != 0x08 || header[3] != dims)
            {
                throw new DatasetException(path, IdxReader.ImagesFormat, Hint(d).Trim(), $"Not an IDX file of unsigned bytes with {dims} dimensions");
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new DatasetException(path, IdxReader.ImagesFormat, Hint(d).Trim(), $"Cannot read dataset file ({e.Message})", e);
        }

        var result = new int[dims];
        for (var i = 0; i < dims; i++)
        {
            result[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + (4 * i), 4));
            if (result[i] <= 0)
            {
                throw new DatasetException(path, IdxReader.ImagesFormat, Hint(d).Trim(), $"Corrupt IDX file: dimension {i} is {result[i]}");
            }
        }

        return result;
    }
}
