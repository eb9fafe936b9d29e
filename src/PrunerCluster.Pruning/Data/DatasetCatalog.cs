using System.Globalization;

namespace PrunerCluster.Pruning.Data;

public static class DatasetCatalog
{
    public const string FashionMnist = "fashion-mnist";
    public const string Cifar10 = "cifar10";
    public const string FashionMnistDefaultRoot = "/usr/share/datasets/fashion-mnist";
    public const string FashionMnistHint = "Install it with 'apt-get install dataset-fashion-mnist' (Debian) or pass a root holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz].";
    public const string Cifar10Hint = "Download and extract https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and pass the 'cifar-10-batches-bin' folder as root (data_batch_1.bin..data_batch_5.bin, test_batch.bin).";

    private const string CifarTestFile = "test_batch.bin";
    private static readonly string[] IdxStems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
    private static readonly string[] CifarTrainFiles = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    public static IReadOnlyList<string> Names { get; } = [FashionMnist, Cifar10];

    /// <summary>Reads the files and splits the training file deterministically: a seeded permutation, the first <paramref name="validationSize"/> go to validation.</summary>
    public static DataSplit Load(string name, string? root, int validationSize, ulong splitSeed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var descriptor = DatasetDescriptor.FromName(name, root, validationSize)
            ?? throw (string.Equals(name, Cifar10, StringComparison.OrdinalIgnoreCase)
                ? new DatasetException($"Dataset '{Cifar10}' needs an explicit root. {Cifar10Hint}")
                : new ArgumentException($"Unknown dataset '{name}'; known: {string.Join(", ", Names)}, or a format ({string.Join(", ", DatasetFormats.All)}) with a root.", nameof(name)));
        return Load(descriptor, splitSeed);
    }

    /// <summary>Reads a data set by format and splits its training part deterministically (seeded permutation; the first ones go to validation).</summary>
    public static DataSplit Load(DatasetDescriptor descriptor, ulong splitSeed)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var (train, test) = descriptor.Format switch
        {
            DatasetFormats.Idx => IdxDataset.Load(descriptor),
            DatasetFormats.CifarBinary => CifarBinaryDataset.Load(descriptor),
            DatasetFormats.ImageFolder => ImageFolderDataset.Load(descriptor),
            _ => throw UnknownFormat(descriptor),
        };
        (train, test) = InputNormalization.Apply(descriptor.Normalization, train, test);
        return Split(train, test, descriptor.ResolveValidation(train.Count), splitSeed);
    }

    /// <summary>Counts, channels, size and classes of a data set from headers and listings (image folders also decode each image once to name unreadable files): for checks before work starts.</summary>
    public static DatasetInfo Probe(DatasetDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return descriptor.Format switch
        {
            DatasetFormats.Idx => IdxDataset.Probe(descriptor),
            DatasetFormats.CifarBinary => CifarBinaryDataset.Probe(descriptor),
            DatasetFormats.ImageFolder => ImageFolderDataset.Probe(descriptor),
            _ => throw UnknownFormat(descriptor),
        };
    }

    /// <summary>Null when the files a format needs are present, else a message naming the folder, the missing files and the expected layout.</summary>
    public static string? MissingFiles(DatasetDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return descriptor.Format switch
        {
            DatasetFormats.Idx => IdxDataset.Missing(descriptor),
            DatasetFormats.CifarBinary => CifarBinaryDataset.Missing(descriptor),
            DatasetFormats.ImageFolder => ImageFolderDataset.Missing(descriptor),
            _ => UnknownFormat(descriptor).Message,
        };
    }

    private static DatasetException UnknownFormat(DatasetDescriptor d) =>
        new($"Unknown data set format '{d.Format}'; expected one of {string.Join(", ", DatasetFormats.All)}.");

    public static DataSplit Split(ImageDataset trainFile, ImageDataset test, int validationSize, ulong splitSeed)
    {
        ArgumentNullException.ThrowIfNull(trainFile);
        ArgumentNullException.ThrowIfNull(test);
        if (validationSize < 1 || validationSize >= trainFile.Count)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"Data set '{trainFile.Name}' has {trainFile.Count} training images; a validation split of {validationSize} must be between 1 and {trainFile.Count - 1}."));
        }

        var permutation = new DeterministicRandom(splitSeed, stream: 0x5917UL).Permutation(trainFile.Count);
        var validation = trainFile.Select(permutation[..validationSize], trainFile.Name + "/validation");
        var train = trainFile.Select(permutation[validationSize..], trainFile.Name + "/train");
        return new DataSplit(trainFile.Name, train, validation, test);
    }

    /// <summary>
    /// Cheap presence check without reading anything (e.g. at submit time): null when every file the loader needs exists,
    /// else a message naming the folder, the missing files, their format and how to get them.
    /// </summary>
    public static string? MissingFiles(string name, string? root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        switch (name.ToLowerInvariant())
        {
            case FashionMnist:
            {
                var dir = root ?? FashionMnistDefaultRoot;
                var absent = IdxStems.Where(stem => TryResolve(dir, stem) is null).ToArray();
                return absent.Length == 0
                    ? null
                    : $"Fashion-MNIST files missing in '{dir}': {string.Join(", ", absent)} (IDX format, raw or .gz). {FashionMnistHint}";
            }

            case Cifar10:
            {
                if (root is null)
                {
                    return $"Dataset '{Cifar10}' needs an explicit root. {Cifar10Hint}";
                }

                var absent = CifarTrainFiles.Append(CifarTestFile).Where(f => !File.Exists(Path.Combine(root, f))).ToArray();
                return absent.Length == 0
                    ? null
                    : $"CIFAR-10 files missing in '{root}': {string.Join(", ", absent)} (CIFAR-10 binary format). {Cifar10Hint}";
            }

            default:
                return $"Unknown dataset '{name}'; known: {string.Join(", ", Names)}.";
        }
    }

    private static string? TryResolve(string root, string stem)
    {
        foreach (var candidate in new[] { stem + ".gz", stem, stem.Replace("-idx", ".idx", StringComparison.Ordinal) + ".gz", stem.Replace("-idx", ".idx", StringComparison.Ordinal) })
        {
            var path = Path.Combine(root, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
