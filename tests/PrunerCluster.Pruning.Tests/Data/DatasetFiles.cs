using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace PrunerCluster.Pruning.Tests.Data;

/// <summary>Writes tiny data sets in each supported format into a folder (generated here, no downloads).</summary>
internal static class DatasetFiles
{
    /// <summary>IDX set: image n of class n % classes, pixel values encoding the class so a model can learn it.</summary>
    public static string Idx(string root, int train, int test, int size, int classes, bool gzip = true, string testPrefix = "t10k")
    {
        Directory.CreateDirectory(root);
        WriteIdxPair(root, "train", train, size, classes, gzip, seed: 1);
        WriteIdxPair(root, testPrefix, test, size, classes, gzip, seed: 2);
        return root;
    }

    public static void WriteIdxPair(string root, string prefix, int count, int size, int classes, bool gzip, int seed)
    {
        var images = new byte[16 + (count * size * size)];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), size);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), size);
        var labels = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        var rng = new Random(seed);
        for (var n = 0; n < count; n++)
        {
            var label = n % classes;
            labels[8 + n] = (byte)label;
            for (var p = 0; p < size * size; p++)
            {
                var band = p * classes / (size * size) == label;
                images[16 + (n * size * size) + p] = (byte)((band ? 180 : 20) + rng.Next(60));
            }
        }

        Write(Path.Combine(root, $"{prefix}-images-idx3-ubyte" + (gzip ? ".gz" : "")), images, gzip);
        Write(Path.Combine(root, $"{prefix}-labels-idx1-ubyte" + (gzip ? ".gz" : "")), labels, gzip);
    }

    /// <summary>CIFAR-style batches: <paramref name="batches"/> training files plus one test file.</summary>
    public static string Cifar(string root, int batches, int perBatch, int test, int channels, int size, int classes, int labelBytes = 1)
    {
        Directory.CreateDirectory(root);
        for (var b = 0; b < batches; b++)
        {
            File.WriteAllBytes(Path.Combine(root, $"data_batch_{b + 1}.bin"), CifarRecords(perBatch, channels, size, classes, labelBytes, b));
        }

        File.WriteAllBytes(Path.Combine(root, "test_batch.bin"), CifarRecords(test, channels, size, classes, labelBytes, 99));
        return root;
    }

    public static byte[] CifarRecords(int count, int channels, int size, int classes, int labelBytes, int seed)
    {
        var record = labelBytes + (channels * size * size);
        var bytes = new byte[count * record];
        var rng = new Random(seed);
        for (var n = 0; n < count; n++)
        {
            var label = (n + seed) % classes;
            for (var l = 0; l < labelBytes; l++)
            {
                bytes[n * record + l] = (byte)(l == labelBytes - 1 ? label : 0);
            }

            for (var p = 0; p < channels * size * size; p++)
            {
                bytes[(n * record) + labelBytes + p] = (byte)((label * 40) + rng.Next(30));
            }
        }

        return bytes;
    }

    /// <summary>Class folders of PNG (and one JPEG) images of varying sizes; class k is tinted by k.</summary>
    public static string ImageFolder(string root, IReadOnlyList<string> classes, int perClass, bool trainTest = false)
    {
        foreach (var part in trainTest ? new[] { "train", "test" } : [""])
        {
            for (var k = 0; k < classes.Count; k++)
            {
                var dir = Path.Combine(root, part, classes[k]);
                Directory.CreateDirectory(dir);
                for (var i = 0; i < perClass; i++)
                {
                    var jpeg = i == 0;
                    Image(Path.Combine(dir, $"img{i:D3}" + (jpeg ? ".jpg" : ".png")), 10 + i, 14 + (2 * k), new SKColor((byte)(60 * k), (byte)(255 - (60 * k)), (byte)(30 * i % 255)), jpeg);
                }
            }
        }

        return root;
    }

    public static void Image(string path, int width, int height, SKColor color, bool jpeg = false)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 95);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static void Write(string path, byte[] bytes, bool gzip)
    {
        using var file = File.Create(path);
        if (gzip)
        {
            using var z = new GZipStream(file, CompressionLevel.Fastest);
            z.Write(bytes);
        }
        else
        {
            file.Write(bytes);
        }
    }
}
