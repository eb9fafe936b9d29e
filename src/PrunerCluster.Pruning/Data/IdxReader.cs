using System.Buffers.Binary;
using System.IO.Compression;

namespace PrunerCluster.Pruning.Data;

/// <summary>Reads the IDX format used by MNIST and Fashion-MNIST (unsigned-byte payloads), gzip-compressed or raw.</summary>
public static class IdxReader
{
    public const string ImagesFormat = "IDX3 unsigned-byte images (magic 0x00000803), gzip or raw";
    public const string LabelsFormat = "IDX1 unsigned-byte labels (magic 0x00000801), gzip or raw";

    /// <summary>Returns (count, rows, cols, pixels row-major per image).</summary>
    public static (int Count, int Rows, int Cols, byte[] Pixels) ReadImages(string path, string hint)
    {
        var bytes = ReadAll(path, ImagesFormat, hint);
        var dims = ParseHeader(bytes, path, expectedDims: 3, ImagesFormat, hint);
        var (count, rows, cols) = (dims[0], dims[1], dims[2]);
        var expected = 16L + ((long)count * rows * cols);
        if (bytes.Length != expected)
        {
            throw new DatasetException(path, ImagesFormat, hint, $"Corrupt IDX images file: header says {count}x{rows}x{cols} ({expected} bytes) but the file has {bytes.Length} bytes");
        }

        return (count, rows, cols, bytes.AsSpan(16).ToArray());
    }

    public static byte[] ReadLabels(string path, string hint)
    {
        var bytes = ReadAll(path, LabelsFormat, hint);
        var dims = ParseHeader(bytes, path, expectedDims: 1, LabelsFormat, hint);
        if (bytes.Length != 8L + dims[0])
        {
            throw new DatasetException(path, LabelsFormat, hint, $"Corrupt IDX labels file: header says {dims[0]} labels but the file has {bytes.Length - 8} payload bytes");
        }

        return bytes.AsSpan(8).ToArray();
    }

    private static int[] ParseHeader(byte[] bytes, string path, int expectedDims, string format, string hint)
    {
        var headerLength = 4 + (4 * expectedDims);
        if (bytes.Length < headerLength)
        {
            throw new DatasetException(path, format, hint, $"Corrupt IDX file: only {bytes.Length} bytes, shorter than its header");
        }

        if (bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] != expectedDims)
        {
            throw new DatasetException(path, format, hint, $"Not an IDX file of unsigned bytes with {expectedDims} dimension(s) (magic {bytes[0]:x2}{bytes[1]:x2}{bytes[2]:x2}{bytes[3]:x2})");
        }

        var dims = new int[expectedDims];
        for (var i = 0; i < expectedDims; i++)
        {
            var d = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + (4 * i), 4));
            if (d <= 0)
            {
                throw new DatasetException(path, format, hint, $"Corrupt IDX file: dimension {i} is {d}");
            }

            dims[i] = d;
        }

        return dims;
    }

    private static byte[] ReadAll(string path, string format, string hint)
    {
        if (!File.Exists(path))
        {
            throw new DatasetException(path, format, hint, "Dataset file not found");
        }

        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[2];
            var isGzip = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            file.Position = 0;
            using var buffer = new MemoryStream();
            if (isGzip)
            {
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                gzip.CopyTo(buffer);
            }
            else
            {
                file.CopyTo(buffer);
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new DatasetException(path, format, hint, $"Cannot read dataset file ({e.Message})", e);
        }
    }
}
