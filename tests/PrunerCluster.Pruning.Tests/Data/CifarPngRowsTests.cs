using PrunerCluster.Pruning.Data;
using SkiaSharp;

namespace PrunerCluster.Pruning.Tests.Data;

[Trait("Category", "Unit")]
public sealed class CifarPngRowsTests
{
    [Fact]
    public void A_two_row_png_becomes_channel_major_records_that_the_cifar_reader_reads_back()
    {
        var dir = TestSupport.TempDirectory();
        var png = Path.Combine(dir, "rows.png");
        WritePng(png, 2);

        var rows = CifarPngRows.Decode(png);
        Assert.Equal(2 * CifarPngRows.RowBytes, rows.Length);
        Assert.Equal(Expected(1, 5), (rows[CifarPngRows.RowBytes + 15], rows[CifarPngRows.RowBytes + 16], rows[CifarPngRows.RowBytes + 17]));

        var records = CifarPngRows.ToRecords(rows, [3, 8], png);
        Assert.Equal(2 * Cifar10Reader.RecordSize, records.Length);
        Assert.Equal((byte)3, records[0]);
        Assert.Equal((byte)8, records[Cifar10Reader.RecordSize]);
        for (var image = 0; image < 2; image++)
        {
            foreach (var pixel in new[] { 0, 1, 31, 32, 500, 1023 })
            {
                var (r, g, b) = Expected(image, pixel);
                var at = (image * Cifar10Reader.RecordSize) + 1 + pixel;
                Assert.Equal((r, g, b), (records[at], records[at + CifarPngRows.Pixels], records[at + (2 * CifarPngRows.Pixels)]));
            }
        }

        for (var b = 1; b <= 5; b++)
        {
            File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), records);
        }

        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), records);
        var (pixels, labels) = Cifar10Reader.ReadBatches([Path.Combine(dir, "test_batch.bin")], DatasetCatalog.Cifar10Hint);
        Assert.Equal(new byte[] { 3, 8 }, labels);
        Assert.Equal(Expected(1, 1023).B, pixels[CifarPngRows.RowBytes + (2 * CifarPngRows.Pixels) + 1023]);
        var (train, test) = CifarBinaryDataset.Load(DatasetDescriptor.FromName(DatasetCatalog.Cifar10, dir, 1)!);
        Assert.Equal((10, 2, 3, 32), (train.Count, test.Count, test.Channels, test.ImageSize));
        Assert.Equal((3, 8), (test.Label(0), test.Label(1)));
    }

    [Fact]
    public void A_label_out_of_range_or_a_count_mismatch_names_the_source_and_the_value()
    {
        var rows = new byte[2 * CifarPngRows.RowBytes];
        var bad = Assert.Throws<DatasetException>(() => CifarPngRows.ToRecords(rows, [1, 10], "batch_x.png"));
        Assert.Contains("'batch_x.png': label 1 is 10; expected 0-9", bad.Message, StringComparison.Ordinal);
        var count = Assert.Throws<DatasetException>(() => CifarPngRows.ToRecords(rows, [1, 2, 3], "batch_y.png"));
        Assert.Contains("'batch_y.png': 2 image rows of 3072 bytes but 3 labels", count.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_png_of_the_wrong_width_is_refused_with_its_size()
    {
        var dir = TestSupport.TempDirectory();
        var png = Path.Combine(dir, "narrow.png");
        using (var bitmap = new SKBitmap(new SKImageInfo(32, 2, SKColorType.Rgba8888, SKAlphaType.Unpremul)))
        using (var stream = File.Create(png))
        {
            bitmap.Encode(stream, SKEncodedImageFormat.Png, 100);
        }

        var e = Assert.Throws<DatasetException>(() => CifarPngRows.Decode(png));
        Assert.Contains("32x2 pixels", e.Message, StringComparison.Ordinal);
        Assert.Contains(png, e.Message, StringComparison.Ordinal);
    }

    private static (byte R, byte G, byte B) Expected(int image, int pixel) =>
        ((byte)((pixel + (image * 7)) % 256), (byte)((pixel * 3 / 5) + image), (byte)(255 - (pixel % 200) - image));

    private static void WritePng(string path, int images)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(CifarPngRows.Pixels, images, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (var y = 0; y < images; y++)
        {
            for (var x = 0; x < CifarPngRows.Pixels; x++)
            {
                var (r, g, b) = Expected(y, x);
                bitmap.SetPixel(x, y, new SKColor(r, g, b, 255));
            }
        }

        using var stream = File.Create(path);
        Assert.True(bitmap.Encode(stream, SKEncodedImageFormat.Png, 100));
    }
}
