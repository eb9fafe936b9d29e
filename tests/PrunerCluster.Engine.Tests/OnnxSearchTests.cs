using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Onnx;
using Orleans.TestingHost;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.TestModels;
using PrunerCluster.Engine.Backends;
using Xunit.Abstractions;

namespace PrunerCluster.Engine.Tests;

/// <summary>
/// The user's own model: a ResNet-style ONNX graph (residual Add, Concat branch, depthwise conv) written in C#, searched for a few
/// evaluations through the grains and the real TorchSharp backend on a small generated CIFAR-format data set; every Pareto member is then
/// exported to ONNX from its stored fine-tuned weights and run in ONNX Runtime.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class OnnxSearchTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "prunercluster-onnx-search-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Onnx_model_is_searched_and_every_pareto_member_exports_to_onnx_that_onnx_runtime_runs_at_the_reported_accuracy()
    {
        var clock = Stopwatch.StartNew();
        var cache = Path.Combine(_root, "cache");
        var data = WriteCifar(Path.Combine(_root, "data"), classes: 4, size: 16);
        var modelPath = Path.Combine(_root, "branchy.onnx");
        File.WriteAllBytes(modelPath, OnnxGraphs.Branchy(classes: 4, size: 16).ToByteArray());

        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddPrunerClusterGrains(o =>
            {
                o.DeviceKind = "cpu";
                o.DeviceCount = 1;
                o.SlotsPerDevice = 1;
                o.CoordinatorTick = TimeSpan.FromMilliseconds(200);
            });
            silo.AddEvaluationBackend<TorchSharpEvaluationBackend>();
            silo.Services.Configure<TorchSharpBackendOptions>(o =>
            {
                o.Threads = 2;
                o.CheckpointCacheDirectory = cache;
            });
            silo.AddMemoryGrainStorage(PrunerClusterStorage.Name);
            silo.UseInMemoryReminderService();
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        // Two libtorch threads, process-wide (evaluations keep the count set first): the setting under which fine-tuning this graph
        // used to end in NaN, when its Relu6 ran through TorchSharp 0.107's hardtanh (which returns its input unclipped).
        PrunerCluster.Pruning.TorchRuntime.Initialize(2);
        const int budget = 5;
        var spec = new ExperimentSpec
        {
            Name = "onnx-branchy",
            Backend = TorchSharpEvaluationBackend.BackendName,
            Model = "onnx",
            ModelSource = new ModelSourceSpec { Onnx = modelPath },
            Dataset = DatasetSourceSpec.CifarBinary,
            DatasetSource = new DatasetSourceSpec { Format = DatasetSourceSpec.CifarBinary, Root = data, ImageSize = 16, Validation = 64 },
            Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
            Search = new SearchSettings { PopulationSize = 4, Seed = 3 },
            Budget = new BudgetSettings { MaxEvaluations = budget, WallClock = TimeSpan.FromMinutes(4) },
            Evaluation = new EvaluationSettingsSpec { FineTuneSteps = 15, BatchSize = 32, ValidationSamples = 64, LatencyBatchSize = 8, LatencyRuns = 2, LatencyMaxRuns = 2, LatencyWarmup = 1, EnergyWindow = 0, Threads = 2 },
        };

        var submission = await cluster.Client.SubmitExperimentAsync(spec);
        Assert.True(submission.Accepted, string.Join("; ", submission.Errors));
        var id = submission.ExperimentId!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var status = await cluster.Client.WaitForExperimentAsync(id, TimeSpan.FromMilliseconds(500), s => output.WriteLine($"{clock.Elapsed:mm\\:ss} {s.State} evaluated {s.Evaluated} failed {s.Failed}"), cancellationToken: timeout.Token);
        Assert.Equal(ExperimentState.Completed, status.State);

        var experiment = cluster.Client.GetExperiment(id);
        var ledger = await experiment.GetEvaluations();
        foreach (var record in ledger)
        {
            output.WriteLine($"#{record.CandidateId} ok={record.Succeeded} {record.FailureReason} {string.Join(' ', record.Metrics.Where(m => !m.Key.StartsWith("recall", StringComparison.Ordinal)).Select(m => $"{m.Key}={m.Value:G4}"))}");
        }

        Assert.True(ledger.All(r => r.Succeeded), "evaluations failed: " + string.Join("; ", ledger.Where(r => !r.Succeeded).Select(r => r.FailureReason)));
        var pareto = await experiment.GetParetoSet();
        Assert.NotEmpty(pareto.Entries);

        // Export each Pareto member as the CLI does: a fresh backend over the same cache reads the stored weights, no retraining.
        var exporter = new TorchSharpEvaluationBackend(Options.Create(new TorchSharpBackendOptions { Threads = 2, CheckpointCacheDirectory = cache }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);
        var originalSize = new FileInfo(modelPath).Length;
        var k = 0;
        foreach (var entry in pareto.Entries)
        {
            var dir = Path.Combine(_root, "export-" + k++);
            var exported = exporter.ExportStored(spec, entry.MaskText, entry.IndividualKey, dir, TorchSharpEvaluationBackend.FormatOnnx, CancellationToken.None);
            Assert.NotNull(exported);
            var card = exported.Card;
            var ort = card.OnnxRuntime!;
            output.WriteLine($"{entry.MaskHash[..8]} reported {entry.Metrics[MetricNames.Accuracy]:G6} exported {card.Metrics[MetricNames.Accuracy]:G6} onnx-runtime {ort.OnnxAccuracy:G6} max diff {ort.MaxAbsDifference:G3} macs {entry.Metrics[MetricNames.Macs]} size {new FileInfo(Path.Combine(dir, "model.onnx")).Length}/{originalSize}");
            Assert.Equal(entry.Metrics[MetricNames.Accuracy], card.Metrics[MetricNames.Accuracy]);
            Assert.Equal(entry.Metrics[MetricNames.Accuracy], ort.OnnxAccuracy);
            // float32 kernels differ in summation order only: logits agree to ~1e-6 (they differed by up to 0.1 while Clip ran as hardtanh).
            Assert.True(ort.MaxAbsDifference < 1e-3, $"ONNX Runtime output differs by {ort.MaxAbsDifference}");
            Assert.Equal(0, ort.PredictionMismatches);
            Assert.Equal(entry.Metrics[MetricNames.Macs], card.Metrics[MetricNames.Macs]);
            if (entry.Metrics[MetricNames.Macs] < pareto.BaselineMetrics[MetricNames.Macs])
            {
                Assert.True(new FileInfo(Path.Combine(dir, "model.onnx")).Length < originalSize, "a pruned member's ONNX file is not smaller than the original");
            }

            using var reloaded = OnnxImporter.Load(Path.Combine(dir, "model.onnx"));
            Assert.Equal(card.Architecture.Widths.Select(w => w.Units).Order(), reloaded.Architecture.Widths.Select(w => w.Units).Order());
        }
    }

    /// <summary>Two training batches and a test batch in CIFAR binary layout: class k is a colour with noise.</summary>
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
                for (var c = 0; c < 3; c++)
                {
                    for (var p = 0; p < size * size; p++)
                    {
                        var tone = ((label >> (c % 2)) & 1) == 1 ? 170 : 60;
                        bytes[(n * record) + 1 + (c * size * size) + p] = (byte)(tone + rng.Next(60) - ((c == 2 && label == 3) ? 50 : 0));
                    }
                }
            }

            return bytes;
        }

        File.WriteAllBytes(Path.Combine(root, "data_batch_1.bin"), Records(200, 0));
        File.WriteAllBytes(Path.Combine(root, "data_batch_2.bin"), Records(200, 1));
        File.WriteAllBytes(Path.Combine(root, "test_batch.bin"), Records(80, 2));
        return root;
    }
}
