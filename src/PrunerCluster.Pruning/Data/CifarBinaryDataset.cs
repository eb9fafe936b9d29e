using System.Globalization;

namespace PrunerCluster.Pruning.Data;

/// <summary>
/// The <c>cifar-binary</c> format: every <c>*.bin</c> file in the folder is a batch of fixed-size records (label byte(s), then C x H x W
/// channel-major pixels). Files with "test" in their name form the test set, the rest the training set; any number of batches.
/// </summary>
internal static class CifarBinaryDataset
{
    public const string Layout = "a folder of *.bin batches (records: label byte(s) + channels*size*size pixel bytes); files named *test* are the test set";

    public static string? Missing(DatasetDescriptor d)
    {
        if (!Directory.Exists(d.Root))
        {
            return $"Data set folder '{d.Root}' does not exist (format '{DatasetFormats.CifarBinary}': {Layout}).{Hint(d)}";
        }

        var (train, test) = Files(d.Root);
        if (train.Length == 0 || test.Length == 0)
        {
            return $"CIFAR binary batches missing in '{d.Root}': found {train.Length} training and {test.Length} test *.bin file(s), need at least one of each (format '{DatasetFormats.CifarBinary}': {Layout}).{Hint(d)}";
        }

        return null;
    }

    public static DatasetInfo Probe(DatasetDescriptor d)
    {
        var (train, test, _, _) = ReadAll(d, pixels: false);
        return new DatasetInfo(d.DisplayName, train.Count, test.Count, train.Channels, train.Size, train.Classes);
    }

    public static (ImageDataset Train, ImageDataset Test) Load(DatasetDescriptor d)
    {
        var (train, test, trainPixels, testPixels) = ReadAll(d, pixels: true);
        var trainSet = new ImageDataset(d.DisplayName, trainPixels!, train.Labels, train.Channels, train.Size, train.Classes);
        var testSet = new ImageDataset(d.DisplayName + "/test", testPixels!, test.Labels, train.Channels, train.Size, train.Classes, trainSet.Mean.ToArray(), trainSet.Std.ToArray());
        return (trainSet, testSet);
    }

    private static (Part Train, Part Test, byte[]? TrainPixels, byte[]? TestPixels) ReadAll(DatasetDescriptor d, bool pixels)
    {
        if (Missing(d) is { } missing)
        {
            throw new DatasetException(missing);
        }

        var channels = d.Channels ?? 3;
        var size = d.ImageSize ?? 32;
        var labelBytes = d.LabelBytes ?? 1;
        if (channels < 1 || size < 1 || labelBytes is < 1 or > 4)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Data set '{d.DisplayName}': cifar-binary needs channels >= 1, imageSize >= 1 and labelBytes in [1, 4]; got {channels}, {size}, {labelBytes}."));
        }

        var (trainFiles, testFiles) = Files(d.Root);
        var train = Read(trainFiles, channels, size, labelBytes, pixels, d);
        var test = Read(testFiles, channels, size, labelBytes, pixels, d);
        var largest = Math.Max(train.Labels.Max(), test.Labels.Length == 0 ? (byte)0 : test.Labels.Max());
        int classes;
        if (d.Classes is { } given)
        {
            if (given <= largest)
            {
                throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Data set '{d.DisplayName}' at '{d.Root}': the spec gives {given} classes but a label is {largest}."));
            }

            classes = given;
        }
        else
        {
            classes = largest + 1;
        }

        return (train with { Classes = classes }, test with { Classes = classes }, train.Pixels, test.Pixels);
    }

    private static (string[] Train, string[] Test) Files(string root)
    {
        var all = Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*.bin").Order(StringComparer.Ordinal).ToArray()
            : [];
        var test = all.Where(f => Path.GetFileName(f).Contains("test", StringComparison.OrdinalIgnoreCase)).ToArray();
        return (all.Except(test).ToArray(), test);
    }

    private static Part Read(string[] files, int channels, int size, int labelBytes, bool withPixels, DatasetDescriptor d)
    {
        var imageBytes = channels * size * size;
        var record = labelBytes + imageBytes;
        var labels = new List<byte>();
        var pixels = withPixels ? new MemoryStream() : null;
        foreach (var path in files)
        {
            var length = new FileInfo(path).Length;
            if (length == 0 || length % record != 0)
            {
                throw new DatasetException(path, string.Create(CultureInfo.InvariantCulture, $"records of {labelBytes} label byte(s) + {imageBytes} pixel bytes ({channels}x{size}x{size})"), "Set channels, imageSize and labelBytes in the data set spec to match the files.", string.Create(CultureInfo.InvariantCulture, $"Corrupt or differently shaped CIFAR batch: {length} bytes is not a multiple of {record}"));
            }

            var bytes = File.ReadAllBytes(path);
            for (var offset = 0; offset < bytes.Length; offset += record)
            {
                labels.Add(bytes[offset + labelBytes - 1]);
                pixels?.Write(bytes, offset + labelBytes, imageBytes);
            }
        }

        return new Part(labels.Count, channels, size, 0, [.. labels], pixels?.ToArray());
    }

    private static string Hint(DatasetDescriptor d) =>
        d.Name == DatasetCatalog.Cifar10 ? " " + DatasetCatalog.Cifar10Hint : "";

    private sealed record Part(int Count, int Channels, int Size, int Classes, byte[] Labels, byte[]? Pixels);
}
