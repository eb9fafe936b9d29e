using PrunerCluster.Client.CommandLine;
using PrunerCluster.Testing;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// The full CLI's <c>validate</c> runs the checks a TorchSharp silo makes at submit time on this machine (data set files,
/// sizes, class count, model source), so a spec <c>search</c> would refuse is refused before any work.
/// </summary>
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

    [Fact]
    public async Task The_shipped_examples_pass_the_local_checks()
    {
        foreach (var example in Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src", "PrunerCluster.Cli", "examples")))
        {
            var (code, stdout, stderr) = await RunAsync("validate", example);
            Assert.True(code == ExitCodes.Ok, $"{example}: {stderr}");
            Assert.Contains("checked on this machine", stdout, StringComparison.Ordinal);
        }
    }
}
