using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Data;

/// <summary>
/// <c>dataset.normalize</c> as the engine applies it: every split of a loaded data set (train, validation, test) is fed as
/// <c>(pixel / 255 - mean[c]) / std[c]</c> with the chosen constants, compared here with the raw bytes of the files.
/// </summary>
[Trait("Category", "Unit")]
public sealed class InputNormalizationTests
{
    private const int Size = 4;
    private const int TestImages = 6;

    private static DatasetDescriptor Cifar(string? normalization)
    {
        var root = DatasetFiles.Cifar(Path.Combine(TestSupport.TempDirectory(), "norm"), batches: 1, perBatch: 20, test: TestImages, channels: 3, size: Size, classes: 4);
        return new DatasetDescriptor { Format = DatasetFormats.CifarBinary, Root = root, ImageSize = Size, ValidationCount = 5, Normalization = normalization };
    }

    /// <summary>The test file's pixels of image <paramref name="n"/> as written (channel-major).</summary>
    private static byte[] RawTestImage(int n)
    {
        var bytes = DatasetFiles.CifarRecords(TestImages, 3, Size, 4, 1, 99);
        var record = 1 + (3 * Size * Size);
        return bytes.AsSpan((n * record) + 1, 3 * Size * Size).ToArray();
    }

    private static float[] Batch(ImageDataset set, int position)
    {
        using var scope = torch.NewDisposeScope();
        var (x, _) = set.GetBatch([position], torch.CPU);
        return x.data<float>().ToArray();
    }

    private static void AssertNormalized(ImageDataset set, int position, byte[] raw, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        var x = Batch(set, position);
        var plane = Size * Size;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = i / plane;
            Assert.Equal((raw[i] / 255f - mean[c]) / std[c], x[i], 4);
        }
    }

    [Fact]
    public void Imagenet_none_and_explicit_constants_are_what_every_split_is_fed()
    {
        var imagenet = DatasetCatalog.Load(Cifar(InputNormalization.Imagenet), 1);
        AssertNormalized(imagenet.Test, 2, RawTestImage(2), [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
        foreach (var set in new[] { imagenet.Train, imagenet.Validation, imagenet.Test })
        {
            Assert.Equal([0.485f, 0.456f, 0.406f], set.Mean);
            Assert.Equal([0.229f, 0.224f, 0.225f], set.Std);
        }

        var none = DatasetCatalog.Load(Cifar(InputNormalization.None), 1);
        AssertNormalized(none.Test, 0, RawTestImage(0), [0f, 0f, 0f], [1f, 1f, 1f]);
        Assert.All(Batch(none.Train, 3), v => Assert.InRange(v, 0f, 1f));

        var own = InputNormalization.Explicit([0.5, 0.25, 0], [0.5, 2, 0.125]);
        var explicitSplit = DatasetCatalog.Load(Cifar(own), 1);
        AssertNormalized(explicitSplit.Test, 5, RawTestImage(5), [0.5f, 0.25f, 0f], [0.5f, 2f, 0.125f]);
        Assert.Equal([0.5f, 2f, 0.125f], explicitSplit.Validation.Std);

        // The default keeps the training file's statistics, which are neither set of constants above.
        var dataset = DatasetCatalog.Load(Cifar(null), 1);
        AssertNormalized(dataset.Test, 2, RawTestImage(2), dataset.Train.Mean, dataset.Train.Std);
        Assert.NotEqual(imagenet.Train.Mean, dataset.Train.Mean);
        Assert.NotEqual(Batch(imagenet.Test, 2), Batch(dataset.Test, 2));
    }

    [Fact]
    public void Each_choice_is_its_own_cache_entry_and_key_and_the_default_keeps_the_old_key()
    {
        var plain = Cifar(null);
        var cache = new DatasetCache();
        var a = cache.GetOrLoad(plain, 1);
        var b = cache.GetOrLoad(plain with { Normalization = InputNormalization.Imagenet }, 1);
        Assert.NotSame(a, b);
        Assert.Same(a, cache.GetOrLoad(plain with { Normalization = "dataset" }, 1));
        Assert.DoesNotContain("normalize", plain.ToCanonicalString(), StringComparison.Ordinal);
        Assert.Equal(plain.ToCanonicalString(), (plain with { Normalization = InputNormalization.Dataset }).ToCanonicalString());
        Assert.NotEqual(plain.ToCanonicalString(), (plain with { Normalization = InputNormalization.None }).ToCanonicalString());
        Assert.NotEqual(
            (plain with { Normalization = InputNormalization.Explicit([0.5, 0.5, 0.5], [0.2, 0.2, 0.2]) }).ToCanonicalString(),
            (plain with { Normalization = InputNormalization.Explicit([0.5, 0.5, 0.5], [0.25, 0.2, 0.2]) }).ToCanonicalString());
    }

    [Fact]
    public void Constants_that_do_not_fit_the_channels_are_refused_with_the_counts()
    {
        Assert.Null(InputNormalization.Constants(null, 1));
        Assert.Null(InputNormalization.Constants("dataset", 3));
        var gray = Assert.Throws<DatasetException>(() => InputNormalization.Constants(InputNormalization.Imagenet, 1));
        Assert.Contains("3 channels", gray.Message, StringComparison.Ordinal);
        Assert.Contains("has 1", gray.Message, StringComparison.Ordinal);
        var count = Assert.Throws<DatasetException>(() => InputNormalization.Constants(InputNormalization.Explicit([0.5, 0.5], [0.2, 0.2]), 3));
        Assert.Contains("3 channel(s)", count.Message, StringComparison.Ordinal);
        Assert.Throws<DatasetException>(() => InputNormalization.Constants(InputNormalization.Explicit([0.5], [0]), 1));
        Assert.Throws<DatasetException>(() => DatasetCatalog.Load(Cifar(InputNormalization.Explicit([0.5], [0.2])), 1));
    }

    [Fact]
    public void An_evaluation_reads_the_checkpoint_with_its_settings_normalisation_not_the_recorded_one()
    {
        // One ONNX file imported by two experiments is one checkpoint; its metadata holds whichever normalisation imported it last.
        var recorded = new BaselineCheckpoint("/tmp/x.onnx", "onnx", "norm", "abc123", 0.5, 0.5, 0) { Source = Cifar(InputNormalization.Imagenet) };
        var asDefault = recorded.WithNormalization(null);
        Assert.Null(asDefault.Source!.Normalization);
        Assert.Equal("abc123", asDefault.DataKey);
        Assert.NotEqual(recorded.DataKey, asDefault.DataKey);
        Assert.Same(recorded, recorded.WithNormalization("imagenet"));
        var cache = new DatasetCache();
        Assert.Equal([0.485f, 0.456f, 0.406f], recorded.LoadData(cache).Train.Mean);
        Assert.NotEqual([0.485f, 0.456f, 0.406f], asDefault.LoadData(cache).Train.Mean);

        // A data set given by name has only the default.
        var named = new BaselineCheckpoint("/tmp/y.bin", "vgg", "fashion-mnist", "def456", 0.5, 0.5, 0);
        Assert.Same(named, named.WithNormalization(null));
        Assert.Throws<ArgumentException>(() => named.WithNormalization("none"));
    }
}
