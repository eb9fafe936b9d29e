namespace PrunerCluster.Pruning.Data;

/// <summary>Reads the CIFAR-10 binary version: records of 1 label byte followed by 3072 bytes (3x32x32, channel-major).</summary>
public static class Cifar10Reader
{
    public const string Format = "CIFAR-10 binary batch (records of 1 label byte + 3072 pixel bytes)";
    public const int RecordSize = 1 + (3 * 32 * 32);

    public static (byte[] Pixels, byte[] Labels) ReadBatches(IReadOnlyList<string> paths, string hint)
    {
        var pixels = new List<byte[]>();
        var labels = new List<byte>();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                throw new DatasetException(path, Format, hint, "Dataset file not found");
            }

            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == 0 || bytes.Length % RecordSize != 0)
            {
                throw new DatasetException(path, Format, hint, $"Corrupt CIFAR-10 batch: {bytes.Length} bytes is not a multiple of {RecordSize}");
            }

            for (var offset = 0; offset < bytes.Length; offset += RecordSize)
            {
                var label = bytes[offset];
                if (label > 9)
                {
                    throw new DatasetException(path, Format, hint, $"Corrupt CIFAR-10 batch: label {label} at byte {offset}");
                }

                labels.Add(label);
                pixels.Add(bytes.AsSpan(offset + 1, RecordSize - 1).ToArray());
            }
        }

        var all = new byte[pixels.Count * (RecordSize - 1)];
        for (var i = 0; i < pixels.Count; i++)
        {
            pixels[i].CopyTo(all, i * (RecordSize - 1));
        }

        return (all, labels.ToArray());
    }
}
