using PrunerCluster.Client.CommandLine;
using PrunerCluster.Testing;
using SkiaSharp;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// The verbs that run models here take a spec's data set given as an image folder, as the search does: <c>train</c> used to read
/// the spec's format ("image-folder") as a data set name and fail; <c>baseline</c> and <c>sensitivity</c> go through the engine.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DataSourceVerbsTests
{
    [Fact]
    public async Task Train_baseline_and_sensitivity_accept_a_data_set_given_as_an_image_folder()
    {
        using var temp = new TempDirectory();
        var root = Path.Combine(temp.Path, "shapes");
        for (var c = 0; c < 3; c++)
        {
            foreach (var (part, count) in new[] { ("train", 40), ("test", 12) })
            {
                var folder = Path.Combine(root, part, "class" + c);
                Directory.CreateDirectory(folder);
                for (var i = 0; i < count; i++)
                {
                    using var bitmap = new SKBitmap(20, 20);
                    bitmap.Erase(new SKColor((byte)(60 * c), (byte)(200 - (50 * c)), (byte)(10 * i)));
                    using var png = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100);
                    File.WriteAllBytes(Path.Combine(folder, $"{i}.png"), png.ToArray());
                }
            }
        }

        var spec = temp.File("folder.json", $$"""
            {
              "name": "image-folder-verbs",
              "backend": "torchsharp",
              "model": "lenet5",
              "dataset": { "format": "image-folder", "root": "{{root}}", "imageSize": 16, "validation": 24 },
              "baseline": { "epochs": 1, "seed": 1, "cacheDirectory": "{{temp.Path}}" },
              "budget": { "maxEvaluations": 2 },
              "evaluation": { "fineTuneSteps": 1, "batchSize": 16, "validationSamples": 24, "latencyBatchSize": 4, "latencyRuns": 2, "latencyMaxRuns": 2, "latencyWarmup": 0, "energyWindow": 0, "threads": 1 }
            }
            """);

        var (code, stdout, stderr) = await CliProcess.InProcessAsync(["train", spec]);
        Assert.True(code == ExitCodes.Ok, $"train exit {code}: {stderr}\n{stdout}");
        Assert.Contains("training lenet5 on shapes", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = await CliProcess.InProcessAsync(["baseline", spec, "--fractions", "0.5", "--out", Path.Combine(temp.Path, "uniform")]);
        Assert.True(code == ExitCodes.Ok, $"baseline exit {code}: {stderr}\n{stdout}");

        (code, stdout, stderr) = await CliProcess.InProcessAsync(["sensitivity", spec, "--fractions", "0.5", "--no-recovery", "--out", Path.Combine(temp.Path, "sensitivity")]);
        Assert.True(code == ExitCodes.Ok, $"sensitivity exit {code}: {stderr}\n{stdout}");
    }
}
