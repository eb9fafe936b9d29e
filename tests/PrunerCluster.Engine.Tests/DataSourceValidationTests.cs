using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;
using PrunerCluster.Engine.Backends;
using SkiaSharp;

namespace PrunerCluster.Engine.Tests;

/// <summary>Data sets by format are checked by the backend before any work starts: each problem is one spec error naming field and sizes.</summary>
[Trait("Category", "Slow")]
public sealed class DataSourceValidationTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "prunercluster-data-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public DataSourceValidationTests() => Directory.CreateDirectory(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private TorchSharpEvaluationBackend Backend() =>
        new(Options.Create(new TorchSharpBackendOptions { Threads = 1, CheckpointCacheDirectory = _temp }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);

    private static ExperimentSpec Spec(DatasetSourceSpec data, string model = "lenet5") =>
        new() { Name = "by-format", Model = model, Dataset = data.Format, DatasetSource = data, Budget = new() { MaxEvaluations = 2 } };

    [Fact]
    public void A_seven_class_idx_set_of_4000_images_is_accepted_in_both_forms()
    {
        var root = WriteIdx("seven", train: 4000, test: 100, size: 28, classes: 7);
        Assert.Empty(Backend().Validate(Spec(new() { Format = "idx", Root = root, Validation = 0.1 })));

        // The reproduction: the named form pointed at the same folder used to fail after start with a stack trace.
        Assert.Empty(Backend().Validate(new ExperimentSpec { Name = "named", Model = "vgg", Dataset = "fashion-mnist", DataRoot = root, Budget = new() { MaxEvaluations = 2 } }));
    }

    [Fact]
    public void Data_set_smaller_than_its_validation_split_is_a_spec_error_naming_its_size()
    {
        var root = WriteIdx("small", train: 400, test: 50, size: 16, classes: 3);
        var errors = Backend().Validate(Spec(new() { Format = "idx", Root = root, Validation = 5000 }));
        var error = Assert.Single(errors);
        Assert.Equal("dataset.validation", error.Field);
        Assert.Contains("has 400 training images", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_folder_with_one_class_is_a_spec_error()
    {
        var root = Path.Combine(_temp, "one-class", "cats");
        Directory.CreateDirectory(root);
        for (var i = 0; i < 4; i++)
        {
            using var bitmap = new SKBitmap(8, 8);
            bitmap.Erase(SKColors.Gray);
            using var data = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(root, $"c{i}.png"), data.ToArray());
        }

        var error = Assert.Single(Backend().Validate(Spec(new() { Format = "image-folder", Root = Path.GetDirectoryName(root)!, ImageSize = 16 })));
        Assert.Equal("dataset.root", error.Field);
        Assert.Contains("at least 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("cats", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_folder_and_too_small_images_for_the_model_are_reported()
    {
        var missing = Assert.Single(Backend().Validate(Spec(new() { Format = "cifar-binary", Root = Path.Combine(_temp, "nowhere") })));
        Assert.Equal("dataset.root", missing.Field);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);

        var tiny = WriteIdx("tiny", train: 100, test: 10, size: 6, classes: 2);
        var error = Assert.Single(Backend().Validate(Spec(new() { Format = "idx", Root = tiny }, model: "vgg")));
        Assert.Equal("model", error.Field);
        Assert.Contains("1x6x6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_whose_input_size_differs_from_the_data_is_a_spec_error()
    {
        var root = WriteIdx("twenty", train: 200, test: 20, size: 20, classes: 4);
        var weights = Path.Combine(_temp, "ckpt.bin");
        File.WriteAllBytes(weights, [0]);
        var checkpoint = new BaselineCheckpoint(weights, "lenet5", "idx", "00", 0.9, 0.9, 1) { Architecture = ModelZoo.DefaultArchitecture("lenet5", 1, 28, 10) };
        File.WriteAllText(weights + ".json", checkpoint.ToJson());
        var spec = Spec(new() { Format = "idx", Root = root }) with { Baseline = new() { CheckpointPath = weights } };
        var error = Assert.Single(Backend().Validate(spec));
        Assert.Equal("baseline.checkpointPath", error.Field);
        Assert.Contains("takes 28x28 images, the data's are 20x20", error.Message, StringComparison.Ordinal);
        Assert.Contains("outputs 10 classes, the data has 4", error.Message, StringComparison.Ordinal);
    }

    private string WriteIdx(string name, int train, int test, int size, int classes) => WriteIdx(_temp, name, train, test, size, classes);

    /// <summary>An IDX data set (train- and t10k- files) of blank images with cycling labels under <paramref name="parent"/>.</summary>
    internal static string WriteIdx(string parent, string name, int train, int test, int size, int classes)
    {
        var root = Path.Combine(parent, name);
        Directory.CreateDirectory(root);
        foreach (var (prefix, count) in new[] { ("train", train), ("t10k", test) })
        {
            var images = new byte[16 + (count * size * size)];
            BinaryPrimitives.WriteInt32BigEndian(images, 0x803);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), size);
            BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), size);
            var labels = new byte[8 + count];
            BinaryPrimitives.WriteInt32BigEndian(labels, 0x801);
            BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
            for (var i = 0; i < count; i++)
            {
                labels[8 + i] = (byte)(i % classes);
            }

            File.WriteAllBytes(Path.Combine(root, prefix + "-images-idx3-ubyte"), images);
            File.WriteAllBytes(Path.Combine(root, prefix + "-labels-idx1-ubyte"), labels);
        }

        return root;
    }
}
