using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Silo.Backends;

/// <summary>Cheap presence check of a data set's files at submit time, without reading them.</summary>
internal static class DatasetFiles
{
    public static string? Missing(string dataset, string? root)
    {
        switch (dataset)
        {
            case DatasetCatalog.FashionMnist:
            {
                var dir = root ?? DatasetCatalog.FashionMnistDefaultRoot;
                string[] stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
                var absent = stems.Where(s => !File.Exists(Path.Combine(dir, s)) && !File.Exists(Path.Combine(dir, s + ".gz"))).ToArray();
                return absent.Length == 0
                    ? null
                    : $"Fashion-MNIST files missing in '{dir}': {string.Join(", ", absent)} (IDX format, raw or .gz). {DatasetCatalog.FashionMnistHint}";
            }

            case DatasetCatalog.Cifar10:
            {
                if (root is null)
                {
                    return $"dataset 'cifar10' needs dataRoot. {DatasetCatalog.Cifar10Hint}";
                }

                string[] files = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"];
                var absent = files.Where(f => !File.Exists(Path.Combine(root, f))).ToArray();
                return absent.Length == 0
                    ? null
                    : $"CIFAR-10 files missing in '{root}': {string.Join(", ", absent)} (CIFAR-10 binary format). {DatasetCatalog.Cifar10Hint}";
            }

            default:
                return null;
        }
    }
}
