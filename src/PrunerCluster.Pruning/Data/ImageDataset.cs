using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Data;

/// <summary>
/// An immutable view over shared uint8 image storage (N x C x H x W, channel-major per image) plus labels.
/// Views share storage, so subsets and splits cost only an index array. Safe to read from many threads.
/// </summary>
public sealed class ImageDataset
{
    private readonly byte[] pixels;
    private readonly byte[] labels;
    private readonly int[] indices;
    private readonly float[] mean;
    private readonly float[] std;

    public ImageDataset(string name, byte[] pixels, byte[] labels, int channels, int imageSize, int classes, float[]? mean = null, float[]? std = null)
        : this(name, pixels, labels, Enumerable.Range(0, labels?.Length ?? 0).ToArray(), channels, imageSize, classes, mean, std)
    {
    }

    private ImageDataset(string name, byte[] pixels, byte[] labels, int[] indices, int channels, int imageSize, int classes, float[]? mean, float[]? std)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (pixels.LongLength != (long)labels.Length * channels * imageSize * imageSize)
        {
            throw new ArgumentException($"Pixel buffer has {pixels.LongLength} bytes but {labels.Length} images of {channels}x{imageSize}x{imageSize} need {(long)labels.Length * channels * imageSize * imageSize}.", nameof(pixels));
        }

        Name = name;
        this.pixels = pixels;
        this.labels = labels;
        this.indices = indices;
        Channels = channels;
        ImageSize = imageSize;
        Classes = classes;
        this.mean = mean ?? ComputeMean(pixels, channels, imageSize);
        this.std = std ?? ComputeStd(pixels, channels, imageSize, this.mean);
    }

    public string Name { get; }

    public int Count => indices.Length;

    public int Channels { get; }

    public int ImageSize { get; }

    public int Classes { get; }

    public IReadOnlyList<float> Mean => mean;

    public IReadOnlyList<float> Std => std;

    public int ImageBytes => Channels * ImageSize * ImageSize;

    public int Label(int position) => labels[indices[position]];

    public ImageDataset Select(IReadOnlyList<int> positions, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var chosen = new int[positions.Count];
        for (var i = 0; i < chosen.Length; i++)
        {
            chosen[i] = indices[positions[i]];
        }

        return new ImageDataset(name ?? Name, pixels, labels, chosen, Channels, ImageSize, Classes, mean, std);
    }

    /// <summary>The same images normalised with other per-channel constants (<see cref="InputNormalization"/>); storage is shared.</summary>
    public ImageDataset WithNormalization(IReadOnlyList<float> newMean, IReadOnlyList<float> newStd)
    {
        ArgumentNullException.ThrowIfNull(newMean);
        ArgumentNullException.ThrowIfNull(newStd);
        if (newMean.Count != Channels || newStd.Count != Channels)
        {
            throw new ArgumentException($"Normalisation constants for {newMean.Count}/{newStd.Count} channel(s) do not fit {Channels}-channel images.", nameof(newMean));
        }

        return new ImageDataset(Name, pixels, labels, indices, Channels, ImageSize, Classes, newMean.ToArray(), newStd.ToArray());
    }

    public ImageDataset Take(int count, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Select(Enumerable.Range(0, Math.Min(count, Count)).ToArray(), name);
    }

    /// <summary>Normalized float batch (count x C x H x W) and int64 labels for the given positions, on the device.</summary>
    public (Tensor Images, Tensor Labels) GetBatch(ReadOnlySpan<int> positions, Device device)
    {
        var n = positions.Length;
        var imageBytes = ImageBytes;
        var plane = ImageSize * ImageSize;
        var data = new float[n * imageBytes];
        var target = new long[n];
        for (var i = 0; i < n; i++)
        {
            var src = indices[positions[i]];
            target[i] = labels[src];
            var offset = (long)src * imageBytes;
            for (var c = 0; c < Channels; c++)
            {
                var scale = 1f / (255f * std[c]);
                var shift = mean[c] / std[c];
                var baseIn = offset + ((long)c * plane);
                var baseOut = (i * imageBytes) + (c * plane);
                for (var p = 0; p < plane; p++)
                {
                    data[baseOut + p] = (pixels[baseIn + p] * scale) - shift;
                }
            }
        }

        var x = torch.tensor(data, new long[] { n, Channels, ImageSize, ImageSize }, device: device);
        var y = torch.tensor(target, device: device);
        return (x, y);
    }

    public (Tensor Images, Tensor Labels) GetBatch(int start, int count, Device device)
    {
        var positions = new int[Math.Min(count, Count - start)];
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] = start + i;
        }

        return GetBatch(positions, device);
    }

    private static float[] ComputeMean(byte[] pixels, int channels, int imageSize)
    {
        var plane = imageSize * imageSize;
        var sums = new double[channels];
        var counts = new long[channels];
        for (long i = 0; i < pixels.LongLength; i++)
        {
            var c = (int)(i / plane % channels);
            sums[c] += pixels[i];
            counts[c]++;
        }

        return sums.Select((s, c) => counts[c] == 0 ? 0f : (float)(s / counts[c] / 255.0)).ToArray();
    }

    private static float[] ComputeStd(byte[] pixels, int channels, int imageSize, float[] mean)
    {
        var plane = imageSize * imageSize;
        var sums = new double[channels];
        var counts = new long[channels];
        for (long i = 0; i < pixels.LongLength; i++)
        {
            var c = (int)(i / plane % channels);
            var d = (pixels[i] / 255.0) - mean[c];
            sums[c] += d * d;
            counts[c]++;
        }

        return sums.Select((s, c) => counts[c] == 0 ? 1f : Math.Max(1e-3f, (float)Math.Sqrt(s / counts[c]))).ToArray();
    }
}
