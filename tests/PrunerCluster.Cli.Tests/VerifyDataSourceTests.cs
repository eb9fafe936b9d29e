using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Testing;

namespace PrunerCluster.Cli.Tests;

/// <summary>
/// <c>verify</c> reads an export's data set the way the search read it: a data set given by format and folder (its card names
/// it "cifar" after the folder, no catalog name) used to fail with "Unknown dataset 'cifar'". Real backend, tiny LeNet on a
/// generated CIFAR-format data set.
/// </summary>
[Trait("Category", "Slow")]
public sealed class VerifyDataSourceTests
{
    [Fact]
    public async Task Verify_reads_the_data_set_of_an_export_whose_spec_gave_it_by_format_and_folder()
    {
        using var temp = new TempDirectory();
        var data = WriteCifar(Path.Combine(temp.Path, "cifar"), classes: 3, size: 32);
        var spec = new ExperimentSpec
        {
            Name = "verify-by-format",
            Backend = TorchSharpEvaluationBackend.BackendName,
            Model = "lenet5",
            Dataset = DatasetSourceSpec.CifarBinary,
            DatasetSource = new DatasetSourceSpec { Format = DatasetSourceSpec.CifarBinary, Root = data, Validation = 32 },
            Baseline = new BaselineSettings { Epochs = 1, Seed = 1, MaxTrainSamples = 128, CacheDirectory = temp.Path },
            Evaluation = new EvaluationSettingsSpec { FineTuneSteps = 1, BatchSize = 16, ValidationSamples = 32, LatencyBatchSize = 4, LatencyRuns = 2, LatencyMaxRuns = 2, LatencyWarmup = 0, EnergyWindow = 0, Threads = 1 },
            FinalRecovery = new FinalRecoverySettings { FineTuneSteps = 1 },
        };
        var backend = new TorchSharpEvaluationBackend(Options.Create(new TorchSharpBackendOptions { Threads = 1, CheckpointCacheDirectory = temp.Path }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);
        Assert.Empty(backend.Validate(spec));
        var export = Path.Combine(temp.Path, "export");
        var result = backend.ExportModel(spec, Genome.Full(backend.LayoutOf(spec, CancellationToken.None)).ToCanonicalString(), export, CancellationToken.None);
        Assert.True(result.Succeeded, result.FailureReason);
        var card = ModelCard.FromJson(File.ReadAllText(Path.Combine(export, ModelExporter.CardFileName)));
        Assert.Equal("cifar", card.Dataset);
        Assert.Equal(DatasetSourceSpec.CifarBinary, card.DatasetSource?.Format);

        var (code, stdout, stderr) = await CliProcess.InProcessAsync(["verify", export]);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}\n{stdout}");
        Assert.Contains("verified", stdout, StringComparison.Ordinal);

        // The data moved: --data-root points verify at the new folder, the rest of the card's description still applies.
        var moved = Path.Combine(temp.Path, "moved");
        Directory.Move(data, moved);
        (code, stdout, stderr) = await CliProcess.InProcessAsync(["verify", export, "--data-root", moved]);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}\n{stdout}");
    }

    /// <summary>Two training batches and a test batch in CIFAR binary layout: class k is a tone with noise.</summary>
    private static string WriteCifar(string root, int classes, int size)
    {
        Directory.CreateDirectory(root);
        var rng = new Random(4);
        byte[] Records(int count, int offset)
        {
            var record = 1 + (3 * size * size);
            var bytes = new byte[count * record];
            for (var n = 0; n < count; n++)
            {
                var label = (n + offset) % classes;
                bytes[n * record] = (byte)label;
                for (var p = 0; p < 3 * size * size; p++)
                {
                    bytes[(n * record) + 1 + p] = (byte)((label * 70) + rng.Next(60));
                }
            }

            return bytes;
        }

        File.WriteAllBytes(Path.Combine(root, "data_batch_1.bin"), Records(96, 0));
        File.WriteAllBytes(Path.Combine(root, "data_batch_2.bin"), Records(96, 1));
        File.WriteAllBytes(Path.Combine(root, "test_batch.bin"), Records(48, 2));
        return root;
    }
}
