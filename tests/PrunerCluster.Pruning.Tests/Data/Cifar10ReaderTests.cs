using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Pruning.Tests.Data;

[Trait("Category", "Unit")]
public sealed class Cifar10ReaderTests
{
    [Fact]
    public void ReadsRecordsAndLoadsASplit()
    {
        var dir = TestSupport.TempDirectory();
        for (var b = 1; b <= 5; b++)
        {
            File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), Records(4, b));
        }

        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Records(3, 9));

        var split = DatasetCatalog.Load("cifar10", dir, 5, 1);
        Assert.Equal((15, 5, 3), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.Equal((3, 32, 10), (split.Channels, split.ImageSize, split.Classes));
    }

    [Fact]
    public void BadSizeAndMissingRootAreClear()
    {
        var dir = TestSupport.TempDirectory();
        var path = Path.Combine(dir, "data_batch_1.bin");
        File.WriteAllBytes(path, new byte[100]);
        var e = Assert.Throws<DatasetException>(() => Cifar10Reader.ReadBatches([path], DatasetCatalog.Cifar10Hint));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("3072", e.Message, StringComparison.Ordinal);
        Assert.Contains("cifar-10-binary", Assert.Throws<DatasetException>(() => DatasetCatalog.Load("cifar10", null, 5, 1)).Message, StringComparison.Ordinal);
    }

    private static byte[] Records(int count, int seed)
    {
        var bytes = new byte[count * Cifar10Reader.RecordSize];
        for (var i = 0; i < count; i++)
        {
            bytes[i * Cifar10Reader.RecordSize] = (byte)((i + seed) % 10);
            bytes[(i * Cifar10Reader.RecordSize) + 1 + i] = (byte)(seed * 10);
        }

        return bytes;
    }
}
