using System.Buffers.Binary;
using PrunerCluster.Cli.Commands;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Testing;

namespace PrunerCluster.Cli.Tests;

/// <summary><c>search</c> with <c>"model": {"zoo": ..., "weights": ...}</c> refuses weights that do not fit before any work starts: exit 2, one line per problem, no stack trace.</summary>
[Trait("Category", "Unit")]
public sealed class PyTorchWeightsSearchTests
{
    [Fact]
    public async Task Search_with_mis_shaped_pytorch_weights_exits_2_naming_every_problem()
    {
        using var temp = new TempDirectory();
        var data = WriteIdx(Path.Combine(temp.Path, "digits"), count: 120, size: 16, classes: 4);
        var weights = Path.Combine(temp.Path, "lenet-28.pt");
        using (var model = ModelZoo.Create(ModelZoo.LeNet5, 1, 28, 10, seed: 1))
        {
            PyTorchStateDict.Save(model, weights);
        }

        var spec = temp.File("spec.json", $$"""
            {
              "name": "pytorch-weights",
              "model": { "zoo": "lenet5", "weights": "{{weights}}" },
              "dataset": { "format": "idx", "root": "{{data}}", "validation": 20 },
              "budget": { "maxEvaluations": 2 },
              "baseline": { "cacheDirectory": "{{Path.Combine(temp.Path, "cache")}}" }
            }
            """);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, IsTerminal: false);
        var code = await CliApp.InvokeAsync(CliCommands.CreateRoot(console), ["search", spec, "--out", Path.Combine(temp.Path, "runs")], console, CancellationToken.None);

        Assert.Equal(ExitCodes.Usage, code);
        var text = stderr.ToString();
        Assert.Contains("model.weights", text, StringComparison.Ordinal);
        Assert.Contains("mis-shaped 3: fc1.weight is [120, 400], expected [120, 64]; fc3.weight is [10, 84], expected [4, 84]; fc3.bias is [10], expected [4]", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "cache")) && Directory.EnumerateFiles(Path.Combine(temp.Path, "cache"), "pytorch-*").Any(), "a baseline was imported although the spec was refused");
    }

    private static string WriteIdx(string root, int count, int size, int classes)
    {
        Directory.CreateDirectory(root);
        foreach (var prefix in new[] { "train", "t10k" })
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
                images[16 + (i * size * size) + (i % (size * size))] = 255;
            }

            File.WriteAllBytes(Path.Combine(root, prefix + "-images-idx3-ubyte"), images);
            File.WriteAllBytes(Path.Combine(root, prefix + "-labels-idx1-ubyte"), labels);
        }

        return root;
    }
}
