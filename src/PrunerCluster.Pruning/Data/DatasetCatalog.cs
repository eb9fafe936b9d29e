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
        var (train, test) = name.ToLowerInvariant() switch
        {
            FashionMnist => LoadIdx(root ?? FashionMnistDefaultRoot, FashionMnist),
            Cifar10 => LoadCifar(root ?? throw new DatasetException($"Dataset '{Cifar10}' needs an explicit root. {Cifar10Hint}")),
            _ => throw new ArgumentException($"Unknown dataset '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
        };
        return Split(train, test, validationSize, splitSeed);
    }

    public static DataSplit Split(ImageDataset trainFile, ImageDataset test, int validationSize, ulong splitSeed)
    {
        ArgumentNullException.ThrowIfNull(trainFile);
        ArgumentNullException.ThrowIfNull(test);
        if (validationSize < 1 || validationSize >= trainFile.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(validationSize), validationSize, $"Validation size must be in [1, {trainFile.Count - 1}] for '{trainFile.Name}'.");
        }

        var permutation = new DeterministicRandom(splitSeed, stream: 0x5917UL).Permutation(trainFile.Count);
        var validation = trainFile.Select(permutation[..validationSize], trainFile.Name + "/validation");
        var train = trainFile.Select(permutation[validationSize..], trainFile.Name + "/train");
        return new DataSplit(trainFile.Name, train, validation, test);
    }

    private static (ImageDataset Train, ImageDataset Test) LoadIdx(string root, string name)
    {
        var hint = FashionMnistHint;
        if (!Directory.Exists(root))
        {
            throw new DatasetException(root, "a folder with the four Fashion-MNIST IDX files", hint, "Dataset folder not found");
        }

        var trainImages = IdxReader.ReadImages(Resolve(root, IdxStems[0]), hint);
        var trainLabels = IdxReader.ReadLabels(Resolve(root, IdxStems[1]), hint);
        var testImages = IdxReader.ReadImages(Resolve(root, IdxStems[2]), hint);
        var testLabels = IdxReader.ReadLabels(Resolve(root, IdxStems[3]), hint);
        Check(trainImages.Count == trainLabels.Length, root, $"train images ({trainImages.Count}) and labels ({trainLabels.Length}) differ in count");
        Check(testImages.Count == testLabels.Length, root, $"test images ({testImages.Count}) and labels ({testLabels.Length}) differ in count");
        Check(trainImages.Rows == trainImages.Cols && testImages.Rows == trainImages.Rows && testImages.Cols == trainImages.Cols, root, "images must be square and equal in size");
        var classes = Math.Max(trainLabels.Max(), testLabels.Max()) + 1;
        var train = new ImageDataset(name, trainImages.Pixels, trainLabels, 1, trainImages.Rows, classes);
        var test = new ImageDataset(name + "/test", testImages.Pixels, testLabels, 1, testImages.Rows, classes, train.Mean.ToArray(), train.Std.ToArray());
        return (train, test);

        static void Check(bool ok, string path, string problem)
        {
            if (!ok)
            {
                throw new DatasetException(path, IdxReader.ImagesFormat, FashionMnistHint, "Inconsistent IDX files: " + problem);
            }
        }
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

    private static string Resolve(string root, string stem) => TryResolve(root, stem) ?? Path.Combine(root, stem + ".gz");

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

    private static (ImageDataset Train, ImageDataset Test) LoadCifar(string root)
    {
        var trainFiles = CifarTrainFiles.Select(f => Path.Combine(root, f)).ToArray();
        var (trainPixels, trainLabels) = Cifar10Reader.ReadBatches(trainFiles, Cifar10Hint);
        var (testPixels, testLabels) = Cifar10Reader.ReadBatches([Path.Combine(root, CifarTestFile)], Cifar10Hint);
        var train = new ImageDataset(Cifar10, trainPixels, trainLabels, 3, 32, 10);
        var test = new ImageDataset(Cifar10 + "/test", testPixels, testLabels, 3, 32, 10, train.Mean.ToArray(), train.Std.ToArray());
        return (train, test);
    }
}
