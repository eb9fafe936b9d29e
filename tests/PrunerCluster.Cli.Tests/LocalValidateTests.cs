using PrunerCluster.Client.CommandLine;
using PrunerCluster.Testing;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// The full CLI's <c>validate</c> runs the checks a TorchSharp silo makes at submit time on this machine (data set files,
/// sizes, class count, model source), so a spec <c>search</c> would refuse is refused before any work.
/// </summary>
[Trait("Category", "Slow")]
public sealed class LocalValidateTests
{
    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => CliProcess.InProcessAsync(args);

    private static string CifarBinary(TempDirectory temp, int size, int classes)
    {
        var root = Path.Combine(temp.Path, $"data-{size}");
        Directory.CreateDirectory(root);
        foreach (var (name, count) in new[] { ("data_batch_1.bin", 40), ("test_batch.bin", 12) })
        {
            using var file = File.Create(Path.Combine(root, name));
            for (var i = 0; i < count; i++)
            {
                file.WriteByte((byte)(i % classes));
                file.Write(new byte[3 * size * size]);
            }
        }

        return root;
    }

    private static string Spec(TempDirectory temp, string root, int imageSize, int classes) => temp.File($"spec-{imageSize}-{classes}-{Path.GetFileName(root)}.json", $$"""
        {
          "name": "local-validate",
          "model": "lenet5",
          "dataset": { "format": "cifar-binary", "root": "{{root}}", "imageSize": {{imageSize}}, "channels": 3, "classes": {{classes}}, "validation": 8 },
          "budget": { "maxEvaluations": 4 }
        }
        """);

    [Fact]
    public async Task A_spec_whose_data_is_missing_is_refused_with_the_field_and_path_unless_structure_only()
    {
        using var temp = new TempDirectory();
        var missing = Path.Combine(temp.Path, "no-such-data");
        var spec = Spec(temp, missing, 8, 4);

        var (code, stdout, stderr) = await RunAsync("validate", spec);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Contains("dataset.root", stderr, StringComparison.Ordinal);
        Assert.Contains(missing, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);

        (code, stdout, stderr) = await RunAsync("validate", spec, "--structure-only");
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("valid", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("checked on this machine", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_spec_whose_data_is_there_and_matches_is_valid_and_says_it_checked_it()
    {
        using var temp = new TempDirectory();
        var root = CifarBinary(temp, 16, 4);
        var (code, stdout, stderr) = await RunAsync("validate", Spec(temp, root, 16, 4));
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("data set and model checked on this machine", stdout, StringComparison.Ordinal);

        // Records of 1 + 3 x 16 x 16 bytes read as 20 x 20 images do not divide the files: a dataset error, before any work.
        (code, stdout, stderr) = await RunAsync("validate", Spec(temp, root, 20, 4));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("dataset", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);

        // Images too small for the model: the model's error, without .NET's "(Parameter ...)" suffix.
        var small = CifarBinary(temp, 8, 4);
        (code, stdout, stderr) = await RunAsync("validate", Spec(temp, small, 8, 4));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("model (line 3): 'lenet5' cannot take the data set's 3x8x8 images: lenet5 needs images of at least 12x12, got 8.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", stderr, StringComparison.Ordinal);
    }

    private static string ImageFolderSpec(TempDirectory temp, string root) => temp.File($"spec-{Path.GetFileName(root)}.json", $$"""
        {
          "name": "local-validate-images",
          "model": "lenet5",
          "dataset": { "format": "image-folder", "root": "{{root}}", "imageSize": 16, "channels": 1, "validation": 2 },
          "baseline": { "epochs": 1, "cacheDirectory": "{{temp.Path}}" },
          "budget": { "maxEvaluations": 4 }
        }
        """);

    private static string ImageFolder(TempDirectory temp, string name, params string[] classes)
    {
        var root = Path.Combine(temp.Path, name);
        foreach (var c in classes)
        {
            Directory.CreateDirectory(Path.Combine(root, c));
            for (var i = 0; i < 6; i++)
            {
                using var bitmap = new SkiaSharp.SKBitmap(16, 16);
                bitmap.Erase(new SkiaSharp.SKColor((byte)(40 * i), 90, 200));
                using var data = SkiaSharp.SKImage.FromBitmap(bitmap).Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(root, c, $"img{i}.png"), data.ToArray());
            }
        }

        return root;
    }

    [Fact]
    public async Task A_corrupt_image_fails_validate_and_search_with_one_error_naming_the_file_and_no_stack_trace()
    {
        using var temp = new TempDirectory();
        var root = ImageFolder(temp, "corrupt", "cats", "dogs");
        var corrupt = Path.Combine(root, "dogs", "broken.png");
        File.WriteAllBytes(corrupt, [0x89, (byte)'P', (byte)'N', (byte)'G', .. Enumerable.Range(0, 200).Select(i => (byte)(i * 31))]);
        var spec = ImageFolderSpec(temp, root);

        foreach (var args in new[] { ["validate", spec], new[] { "search", spec, "--plain", "--out", Path.Combine(temp.Path, "runs"), "--noise-samples", "0" } })
        {
            var verb = args[0];
            var (code, stdout, stderr) = await RunAsync(args);
            Assert.True(code == ExitCodes.Usage, $"{verb}: exit {code}: {stderr}\n{stdout}");
            Assert.Contains("dataset.root", stderr, StringComparison.Ordinal);
            Assert.Contains($"1 image file(s) cannot be decoded (expected PNG or JPEG images): '{corrupt}'", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_empty_class_folder_fails_validate_naming_the_folder()
    {
        using var temp = new TempDirectory();
        var root = ImageFolder(temp, "empty-class", "cats", "dogs");
        var empty = Path.Combine(root, "zebras");
        Directory.CreateDirectory(empty);

        var (code, _, stderr) = await RunAsync("validate", ImageFolderSpec(temp, root));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"1 empty class folder(s) ('{empty}')", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// CI does not download CIFAR-10 (139 MB): an example on it is checked as a copy whose data root holds six small
    /// well-formed batches under the official file names, so everything but the size of the data is the shipped spec's.
    /// </summary>
    [Fact]
    public async Task The_shipped_examples_pass_the_local_checks()
    {
        using var temp = new TempDirectory();
        foreach (var example in Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src", "PrunerCluster.Cli", "examples")))
        {
            var (code, stdout, stderr) = await RunAsync("validate", WithSmallCifar(temp, example));
            Assert.True(code == ExitCodes.Ok, $"{example}: {stderr}");
            Assert.Contains("checked on this machine", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_cifar10_example_without_its_data_names_the_folder_and_the_missing_batches()
    {
        using var temp = new TempDirectory();
        var example = Path.Combine(TestPaths.RepoRoot, "src", "PrunerCluster.Cli", "examples", "cifar10-resnet.json");
        var missing = Path.Combine(temp.Path, "no-cifar");
        var spec = temp.File("cifar10-missing.json", File.ReadAllText(example).Replace("\"dataRoot\": \".prunercluster/data/cifar10\"", $"\"dataRoot\": \"{missing}\"", StringComparison.Ordinal));
        var (code, _, stderr) = await RunAsync("validate", spec);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"CIFAR-10 files missing in '{missing}': data_batch_1.bin", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private static string WithSmallCifar(TempDirectory temp, string example)
    {
        var text = File.ReadAllText(example);
        const string Root = "\"dataRoot\": \".prunercluster/data/cifar10\"";
        if (!text.Contains(Root, StringComparison.Ordinal))
        {
            return example;
        }

        var root = Path.Combine(temp.Path, "cifar10-" + Path.GetFileNameWithoutExtension(example));
        Directory.CreateDirectory(root);
        foreach (var name in new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin" })
        {
            using var file = File.Create(Path.Combine(root, name));
            for (var i = 0; i < 10; i++)
            {
                file.WriteByte((byte)i);
                file.Write(new byte[3 * 32 * 32]);
            }
        }

        return temp.File(Path.GetFileName(example), text.Replace(Root, $"\"dataRoot\": \"{root}\"", StringComparison.Ordinal));
    }
}
