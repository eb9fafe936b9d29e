using System.Buffers.Binary;
using System.IO.Compression;
using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Pruning.Tests.Data;

[Trait("Category", "Unit")]
public sealed class IdxReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabelsRawOrGzip(bool gzip)
    {
        var dir = TestSupport.TempDirectory();
        var images = Write(Path.Combine(dir, "img"), Idx(3, [2, 3, 3], Enumerable.Range(0, 18).Select(i => (byte)i).ToArray()), gzip);
        var labels = Write(Path.Combine(dir, "lbl"), Idx(1, [2], [4, 7]), gzip);

        var (count, rows, cols, pixels) = IdxReader.ReadImages(images, "hint");
        Assert.Equal((2, 3, 3), (count, rows, cols));
        Assert.Equal(17, pixels[17]);
        Assert.Equal(new byte[] { 4, 7 }, IdxReader.ReadLabels(labels, "hint"));
    }

    [Fact]
    public void TruncatedFileNamesPathAndFormat()
    {
        var dir = TestSupport.TempDirectory();
        var bytes = Idx(3, [2, 3, 3], new byte[10]);
        var path = Write(Path.Combine(dir, "short"), bytes, gzip: false);

        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(path, DatasetCatalog.FashionMnistHint));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("IDX3", e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongMagicIsRejected()
    {
        var dir = TestSupport.TempDirectory();
        var path = Write(Path.Combine(dir, "labels-as-images"), Idx(1, [2], [1, 2]), gzip: false);
        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(path, "hint"));
        Assert.Contains("magic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFolderTellsHowToInstall()
    {
        var missing = Path.Combine(TestSupport.TempDirectory(), "nope");
        var e = Assert.Throws<DatasetException>(() => DatasetCatalog.Load("fashion-mnist", missing, 100, 1));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownDatasetIsAnArgumentError() =>
        Assert.Throws<ArgumentException>(() => DatasetCatalog.Load("imagenet", null, 10, 1));

    internal static byte[] Idx(int dims, int[] shape, byte[] payload)
    {
        var header = new byte[4 + (4 * dims)];
        header[2] = 0x08;
        header[3] = (byte)dims;
        for (var i = 0; i < dims; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + (4 * i)), shape[i]);
        }

        return [.. header, .. payload];
    }

    internal static string Write(string path, byte[] bytes, bool gzip)
    {
        if (gzip)
        {
            path += ".gz";
            using var file = File.Create(path);
            using var z = new GZipStream(file, CompressionLevel.Fastest);
            z.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }

        return path;
    }
}
