using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Pruning.Tests.Data;

[Trait("Category", "Slow")]
public sealed class DatasetFormatTests
{
    [Fact]
    public void Idx_reads_any_class_count_and_square_size_with_a_fractional_validation_split()
    {
        var root = DatasetFiles.Idx(Path.Combine(TestSupport.TempDirectory(), "digits7"), train: 420, test: 70, size: 20, classes: 7);
        var d = new DatasetDescriptor { Format = DatasetFormats.Idx, Root = root, ValidationFraction = 0.1 };

        var info = DatasetCatalog.Probe(d);
        Assert.Equal(new DatasetInfo("idx", 420, 70, 1, 20, 7), info);

        var split = DatasetCatalog.Load(d, 1);
        Assert.Equal((378, 42, 70), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.Equal((1, 20, 7), (split.Channels, split.ImageSize, split.Classes));
        Assert.Equal(Enumerable.Range(0, 7), Enumerable.Range(0, split.Test.Count).Select(split.Test.Label).Distinct().Order());
    }

    [Fact]
    public void Idx_accepts_raw_files_named_test_and_a_count()
    {
        var root = DatasetFiles.Idx(Path.Combine(TestSupport.TempDirectory(), "raw"), train: 50, test: 10, size: 9, classes: 3, gzip: false, testPrefix: "test");
        var split = DatasetCatalog.Load(new DatasetDescriptor { Format = DatasetFormats.Idx, Root = root, ValidationCount = 5, Classes = 4 }, 1);
        Assert.Equal((45, 5, 10, 4, 9), (split.Train.Count, split.Validation.Count, split.Test.Count, split.Classes, split.ImageSize));
    }

    [Fact]
    public void Data_set_smaller_than_its_validation_split_names_its_size()
    {
        var root = DatasetFiles.Idx(Path.Combine(TestSupport.TempDirectory(), "small"), train: 400, test: 20, size: 8, classes: 7);
        var d = new DatasetDescriptor { Format = DatasetFormats.Idx, Root = root, ValidationCount = 5000, Name = "small" };
        var e = Assert.Throws<DatasetException>(() => DatasetCatalog.Load(d, 1));
        Assert.Contains("has 400 training images", e.Message, StringComparison.Ordinal);
        Assert.Contains("validation split of 5000", e.Message, StringComparison.Ordinal);

        // The historical named form with its fixed 5000 no longer fails with an ArgumentOutOfRangeException either.
        var legacy = Assert.Throws<DatasetException>(() => DatasetCatalog.Load(DatasetCatalog.FashionMnist, root, 5000, 1));
        Assert.Contains("400 training images", legacy.Message, StringComparison.Ordinal);

        // Default: 10% (at most 5000).
        Assert.Equal(40, (d with { ValidationCount = null }).ResolveValidation(400));
        Assert.Equal(5000, (d with { ValidationCount = null }).ResolveValidation(60000));
    }

    [Fact]
    public void Cifar_binary_takes_any_number_of_batches_label_bytes_and_classes_from_labels()
    {
        var root = DatasetFiles.Cifar(Path.Combine(TestSupport.TempDirectory(), "c"), batches: 3, perBatch: 30, test: 12, channels: 3, size: 8, classes: 5, labelBytes: 2);
        var d = new DatasetDescriptor { Format = DatasetFormats.CifarBinary, Root = root, ImageSize = 8, LabelBytes = 2, ValidationCount = 10 };
        Assert.Equal(new DatasetInfo("cifar-binary", 90, 12, 3, 8, 5), DatasetCatalog.Probe(d));
        var split = DatasetCatalog.Load(d, 1);
        Assert.Equal((80, 10, 12, 5), (split.Train.Count, split.Validation.Count, split.Test.Count, split.Classes));

        var spec100 = d with { Classes = 100 };
        Assert.Equal(100, DatasetCatalog.Load(spec100, 1).Classes);

        var wrongShape = d with { ImageSize = 32, LabelBytes = 1 };
        var e = Assert.Throws<DatasetException>(() => DatasetCatalog.Probe(wrongShape));
        Assert.Contains("not a multiple of 3073", e.Message, StringComparison.Ordinal);
        Assert.Contains("data_batch_1.bin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_folder_decodes_png_and_jpeg_resizes_and_holds_out_a_test_share()
    {
        var root = DatasetFiles.ImageFolder(Path.Combine(TestSupport.TempDirectory(), "flowers"), ["daisy", "rose", "tulip"], perClass: 10);
        var d = new DatasetDescriptor { Format = DatasetFormats.ImageFolder, Root = root, ImageSize = 12, ValidationCount = 3 };
        Assert.Equal(new DatasetInfo("image-folder", 24, 6, 3, 12, 3), DatasetCatalog.Probe(d));

        var split = DatasetCatalog.Load(d, 1);
        Assert.Equal((21, 3, 6, 3, 12, 3), (split.Train.Count, split.Validation.Count, split.Test.Count, split.Channels, split.ImageSize, split.Classes));

        // Class 1 ("rose") is RGB (60, 195, *): its first plane holds red ~60, its second green ~195 after resizing.
        var test = split.Test;
        var position = Enumerable.Range(0, test.Count).First(i => test.Label(i) == 1);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var (x, _) = test.GetBatch([position], TorchSharp.torch.CPU);
        var red = (x[0, 0].mean().item<float>() * test.Std[0]) + test.Mean[0];
        var green = (x[0, 1].mean().item<float>() * test.Std[1]) + test.Mean[1];
        Assert.InRange(red * 255, 55, 65);
        Assert.InRange(green * 255, 190, 200);
    }

    [Fact]
    public void Image_folder_with_train_and_test_folders_and_grayscale()
    {
        var root = DatasetFiles.ImageFolder(Path.Combine(TestSupport.TempDirectory(), "tt"), ["a", "b"], perClass: 6, trainTest: true);
        var split = DatasetCatalog.Load(new DatasetDescriptor { Format = DatasetFormats.ImageFolder, Root = root, ImageSize = 7, Channels = 1, ValidationFraction = 0.25 }, 1);
        Assert.Equal((9, 3, 12, 1, 7, 2), (split.Train.Count, split.Validation.Count, split.Test.Count, split.Channels, split.ImageSize, split.Classes));
    }

    [Fact]
    public void Image_folder_with_one_class_is_refused_with_the_reason()
    {
        var root = DatasetFiles.ImageFolder(Path.Combine(TestSupport.TempDirectory(), "one"), ["cats"], perClass: 5);
        var e = Assert.Throws<DatasetException>(() => DatasetCatalog.Probe(new DatasetDescriptor { Format = DatasetFormats.ImageFolder, Root = root, ImageSize = 8 }));
        Assert.Contains("1 class folder(s) with images (cats)", e.Message, StringComparison.Ordinal);
        Assert.Contains("at least 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_folder_probe_names_every_file_that_cannot_be_decoded_and_what_is_expected()
    {
        var root = DatasetFiles.ImageFolder(Path.Combine(TestSupport.TempDirectory(), "corrupt"), ["daisy", "rose"], perClass: 4);
        var garbage = Path.Combine(root, "rose", "garbage.png");
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 37))]);
        var good = File.ReadAllBytes(Path.Combine(root, "daisy", "img001.png"));
        var truncated = Path.Combine(root, "daisy", "truncated.png");
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);

        var e = Assert.Throws<DatasetException>(() => DatasetCatalog.Probe(new DatasetDescriptor { Format = DatasetFormats.ImageFolder, Root = root, ImageSize = 8 }));
        Assert.StartsWith("2 image file(s) cannot be decoded (expected PNG or JPEG images)", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{garbage}' (not a readable PNG or JPEG", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{truncated}' (", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("Remove or re-encode them.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_folder_with_an_empty_class_folder_is_refused_naming_the_folder()
    {
        var root = DatasetFiles.ImageFolder(Path.Combine(TestSupport.TempDirectory(), "empty-class"), ["daisy", "rose"], perClass: 4);
        var empty = Path.Combine(root, "tulip");
        Directory.CreateDirectory(empty);

        var e = Assert.Throws<DatasetException>(() => DatasetCatalog.Probe(new DatasetDescriptor { Format = DatasetFormats.ImageFolder, Root = root, ImageSize = 8 }));
        Assert.Contains($"1 empty class folder(s) ('{empty}')", e.Message, StringComparison.Ordinal);
        Assert.Contains("needs .png/.jpg/.jpeg files", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_files_and_unknown_formats_are_named()
    {
        var empty = TestSupport.TempDirectory();
        Assert.Contains("train images (train-images*)", DatasetCatalog.MissingFiles(new DatasetDescriptor { Format = DatasetFormats.Idx, Root = empty }), StringComparison.Ordinal);
        Assert.Contains("found 0 training and 0 test", DatasetCatalog.MissingFiles(new DatasetDescriptor { Format = DatasetFormats.CifarBinary, Root = empty }), StringComparison.Ordinal);
        Assert.Contains("needs imageSize", DatasetCatalog.MissingFiles(new DatasetDescriptor { Format = DatasetFormats.ImageFolder, Root = empty }), StringComparison.Ordinal);
        Assert.Contains("Unknown data set format 'tfrecord'", DatasetCatalog.MissingFiles(new DatasetDescriptor { Format = "tfrecord", Root = empty }), StringComparison.Ordinal);
        File.WriteAllBytes(Path.Combine(empty, "x.png"), [1, 2, 3]);
        var bad = Path.Combine(empty, "k1");
        var good = Path.Combine(empty, "k2");
        Directory.CreateDirectory(bad);
        Directory.CreateDirectory(good);
        File.WriteAllBytes(Path.Combine(bad, "broken.png"), [1, 2, 3]);
        DatasetFiles.Image(Path.Combine(good, "ok.png"), 4, 4, SkiaSharp.SKColors.Red);
        DatasetFiles.Image(Path.Combine(good, "ok2.png"), 4, 4, SkiaSharp.SKColors.Red);
        DatasetFiles.Image(Path.Combine(bad, "ok3.png"), 4, 4, SkiaSharp.SKColors.Red);
        var e = Assert.Throws<DatasetException>(() => DatasetCatalog.Load(new DatasetDescriptor { Format = DatasetFormats.ImageFolder, Root = empty, ImageSize = 4, ValidationCount = 1, TestFraction = 0.34 }, 1));
        Assert.Contains("broken.png", e.Message, StringComparison.Ordinal);
        Assert.Contains("Cannot decode image", e.Message, StringComparison.Ordinal);
    }
}
