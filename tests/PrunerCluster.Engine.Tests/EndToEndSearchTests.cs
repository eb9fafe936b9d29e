using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Engine.Backends;
using Xunit.Abstractions;

namespace PrunerCluster.Engine.Tests;

/// <summary>
/// Issue 5's end-to-end test: a tiny real search (TorchSharp LeNet-5, a small Fashion-MNIST slice, a handful of
/// evaluations) through the real grains on an in-process silo that registers the product backend.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class EndToEndSearchTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "prunercluster-e2e-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [Fact]
    public async Task Tiny_real_search_through_the_grains_completes_with_real_metrics()
    {
        Assert.True(File.Exists(Path.Combine(DatasetCatalog.FashionMnistDefaultRoot, "train-labels-idx1-ubyte")) || File.Exists(Path.Combine(DatasetCatalog.FashionMnistDefaultRoot, "train-labels-idx1-ubyte.gz")), "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        var clock = Stopwatch.StartNew();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        var cache = _cache;
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

        const int budget = 5;
        var spec = new ExperimentSpec
        {
            Name = "e2e-lenet5",
            Backend = TorchSharpEvaluationBackend.BackendName,
            Model = "lenet5",
            Dataset = DatasetCatalog.FashionMnist,
            Baseline = new BaselineSettings { Epochs = 1, Seed = 1, MaxTrainSamples = 2048, MaxTestSamples = 512 },
            Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
            Search = new SearchSettings { PopulationSize = 4, Seed = 3 },
            Budget = new BudgetSettings { MaxEvaluations = budget, WallClock = TimeSpan.FromMinutes(3) },
            Evaluation = new EvaluationSettingsSpec
            {
                FineTuneSteps = 4,
                BatchSize = 32,
                ValidationSamples = 256,
                LatencyBatchSize = 16,
                LatencyRuns = 3,
                LatencyMaxRuns = 3,
                LatencyWarmup = 1,
                Threads = 2,
            },
        };

        var submission = await cluster.Client.SubmitExperimentAsync(spec);
        Assert.True(submission.Accepted, string.Join("; ", submission.Errors));
        var id = submission.ExperimentId!;

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        ExperimentStatus status;
        try
        {
            status = await cluster.Client.WaitForExperimentAsync(id, TimeSpan.FromMilliseconds(500), s => output.WriteLine($"{clock.Elapsed:mm\\:ss} {s.State} evaluated {s.Evaluated} failed {s.Failed} in flight {s.InFlight}"), cancellationToken: timeout.Token);
        }
        catch (OperationCanceledException)
        {
            var last = await cluster.Client.GetExperiment(id).GetStatus();
            throw new TimeoutException($"The search did not finish in time: {last} errors: {string.Join("; ", last.Errors)}");
        }

        output.WriteLine($"finished in {clock.Elapsed.TotalSeconds:F1} s: {status}; errors: {string.Join("; ", status.Errors)}");
        Assert.Equal(ExperimentState.Completed, status.State);
        Assert.Equal(budget, status.Evaluated);

        // 1 epoch of 2,048 images at batch 128 and 256 scored validation images for 10 classes: both are called out.
        Assert.Contains(status.Errors, e => e.StartsWith("warning: baseline: trained for only 16 optimizer steps", StringComparison.Ordinal));
        Assert.Contains(status.Errors, e => e.StartsWith("warning: validation: 256 images scored for 10 classes", StringComparison.Ordinal));

        // The run records the input normalisation its evaluations used: the training file's statistics by default.
        Assert.Contains(status.Errors, e => e.StartsWith("input normalisation dataset: mean 0.", StringComparison.Ordinal) && e.Contains(", std 0.", StringComparison.Ordinal));

        var experiment = cluster.Client.GetExperiment(id);
        var ledger = await experiment.GetEvaluations();
        Assert.Equal(budget, ledger.Count);
        Assert.Equal(budget, ledger.Select(r => r.CandidateId).Distinct().Count());
        foreach (var record in ledger)
        {
            output.WriteLine($"#{record.CandidateId} ok={record.Succeeded} {record.FailureReason} {string.Join(' ', record.Metrics.Select(m => $"{m.Key}={m.Value:G4}"))}");
            if (!record.Succeeded)
            {
                Assert.False(string.IsNullOrWhiteSpace(record.FailureReason), $"candidate {record.CandidateId} failed without a reason");
            }
        }

        Assert.True(ledger.Count(r => r.Succeeded) >= 2, "fewer than two evaluations succeeded");

        var pareto = await experiment.GetParetoSet();
        Assert.NotEmpty(pareto.Entries);
        Assert.True(pareto.BaselineMetrics.TryGetValue(MetricNames.Accuracy, out var baselineAccuracy) && baselineAccuracy > 0.3, "baseline accuracy missing or not better than chance");
        foreach (var entry in pareto.Entries)
        {
            Assert.InRange(entry.Metrics[MetricNames.Accuracy], double.Epsilon, 1.0);
            Assert.True(entry.Metrics[MetricNames.Macs] > 0, "macs must be positive");
            Assert.True(entry.Metrics[MetricNames.Macs] <= pareto.BaselineMetrics[MetricNames.Macs], "a pruned model has more MACs than the baseline");
            Assert.True(entry.Metrics[MetricNames.LatencyMs] > 0, "latency_ms must be positive");
            Assert.True(entry.Metrics[MetricNames.Params] > 0, "params must be positive");
            Assert.True(entry.Metrics.TryGetValue(MetricNames.EnergyMj, out var energy) && energy > 0, "energy_mj missing or not positive");
            Assert.False(string.IsNullOrEmpty(entry.Silo));
        }

        // The baseline was trained into the configured cache, not the user's.
        Assert.Single(Directory.EnumerateFiles(_cache, "lenet5-fashion-mnist-*.bin"));

        // Every Pareto entry says where its energy figure comes from (checked last so a missing label does not hide the
        // other checks).
        Assert.All(pareto.Entries, e => Assert.Contains(e.EnergySource, new[] { "modeled", "measured-rapl", "measured-nvml" }));
    }
}
