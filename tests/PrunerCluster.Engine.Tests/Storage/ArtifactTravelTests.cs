using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Engine.Storage;
using PrunerCluster.Storage.Postgres;
using PrunerCluster.Testing;
using Xunit.Abstractions;

namespace PrunerCluster.Engine.Tests.Storage;

/// <summary>
/// The TorchSharp backend in postgres mode, in process: "silos" are backend instances with their own checkpoint caches and
/// one real PostgreSQL artifact store. A checkpoint prepared on one is evaluated on another; a third exports from the stored
/// weights without training; a silo whose copy of the data differs from the pinned one refuses the work.
/// </summary>
[Trait("Category", "Database")]
public sealed class ArtifactTravelTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly List<string> _directories = [];

    public void Dispose()
    {
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_silo_with_its_own_cache_evaluates_from_the_fetched_checkpoint_and_a_third_process_exports_the_scored_weights_without_training()
    {
        var db = await DatabaseAsync();
        var (first, firstCache) = Backend(db);
        var (second, secondCache) = Backend(db);
        var spec = Spec(dataRoot: null);

        var prepared = await first.PrepareAsync(spec, CancellationToken.None);
        Assert.Equal(TorchSharpEvaluationBackend.OriginTrained, first.BaselineOrigin(prepared.CheckpointHash));
        Assert.NotNull(prepared.DatasetHash);
        Assert.Equal(DatasetPin.ContentHash(DatasetPin.Compute(DatasetCatalog.FashionMnistDefaultRoot)), prepared.DatasetHash);
        Assert.StartsWith(firstCache, prepared.CheckpointPath, StringComparison.Ordinal);

        var request = Request(spec, prepared, second.LayoutOfPrepared(prepared));
        var outcome = second.Evaluate(request, new SlotContext(0, "cpu", "cpu", "silo-2"), CancellationToken.None);
        output.WriteLine($"second silo: {outcome.Succeeded} {outcome.FailureReason} accuracy {outcome.Metrics.GetValueOrDefault(MetricNames.Accuracy)}");
        Assert.True(outcome.Succeeded, outcome.FailureReason);
        Assert.Equal(TorchSharpEvaluationBackend.OriginFetched, second.BaselineOrigin(prepared.CheckpointHash));
        var fetched = Path.Combine(secondCache, "fetched", prepared.CheckpointHash + ".bin");
        Assert.True(File.Exists(fetched), "the second silo did not fetch the checkpoint into its own cache");
        Assert.Equal(prepared.CheckpointHash, Sha256(fetched));
        Assert.Empty(Directory.EnumerateFiles(secondCache, "lenet5-*.bin"));

        // A third process (the CLI) with an empty cache: the baseline comes from the store, the weights the search scored too.
        var (third, thirdCache) = Backend(db);
        var entry = new ParetoEntry { CandidateId = 1, MaskText = request.MaskText, MaskHash = request.MaskHash, IndividualKey = request.Key.Value, Metrics = outcome.Metrics };
        var export = await Task.Factory.StartNew(
            () => third.ExportStored(spec, entry.MaskText, entry.IndividualKey, Path.Combine(thirdCache, "export"), TorchSharpEvaluationBackend.FormatTorchSharp, CancellationToken.None),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        Assert.NotNull(export);
        Assert.Equal(TorchSharpEvaluationBackend.OriginFetched, export!.BaselineOrigin);
        Assert.Equal(outcome.Metrics[MetricNames.Accuracy], export.Card.Metrics[MetricNames.Accuracy]);
        Assert.Equal(prepared.CheckpointHash, export.Card.SourceCheckpointHash);
    }

    [Fact]
    public async Task A_silo_whose_copy_of_the_data_differs_from_the_pinned_one_refuses_the_work_naming_the_file_and_both_hashes()
    {
        var db = await DatabaseAsync();
        var data = Temp();
        foreach (var file in Directory.EnumerateFiles(DatasetCatalog.FashionMnistDefaultRoot))
        {
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        }

        var (backend, _) = Backend(db);
        var spec = Spec(dataRoot: data);
        var prepared = await backend.PrepareAsync(spec, CancellationToken.None);
        var labels = Path.Combine(data, "t10k-labels-idx1-ubyte.gz");
        var pinned = Sha256(labels);
        Assert.Equal(DatasetPin.ContentHash(DatasetPin.Compute(data)), prepared.DatasetHash);

        var request = Request(spec, prepared, backend.LayoutOfPrepared(prepared));
        var slot = new SlotContext(0, "cpu", "cpu", "silo-with-other-data");
        Assert.True(backend.Evaluate(request, slot, CancellationToken.None).Succeeded);

        // This silo's copy changes (another release of the data set, a partial download...).
        await File.AppendAllTextAsync(labels, "x");
        var changed = Sha256(labels);
        var refused = backend.Evaluate(request, slot, CancellationToken.None);
        output.WriteLine(refused.FailureReason);
        Assert.False(refused.Succeeded);
        Assert.Contains(labels, refused.FailureReason, StringComparison.Ordinal);
        Assert.Contains(changed, refused.FailureReason, StringComparison.Ordinal);
        Assert.Contains(pinned, refused.FailureReason, StringComparison.Ordinal);
        Assert.Contains("silo-with-other-data", refused.FailureReason, StringComparison.Ordinal);

        // A property of this silo, not of the mask: never stored as the individual's outcome; retried on other silos up to the cap.
        Assert.Equal(FailureKind.Transient, refused.Kind);
        Assert.Equal(FailureKind.Transient, PrunerCluster.Grains.Lifecycle.FailureClassifier.Classify(refused));

        File.Delete(labels);
        Assert.Contains("is missing on silo", backend.Evaluate(request, slot, CancellationToken.None).FailureReason, StringComparison.Ordinal);
    }

    private static ExperimentSpec Spec(string? dataRoot) => new()
    {
        Name = "artifacts-travel",
        Backend = TorchSharpEvaluationBackend.BackendName,
        Model = "lenet5",
        Dataset = DatasetCatalog.FashionMnist,
        DataRoot = dataRoot,
        Baseline = new BaselineSettings { Epochs = 1, Seed = 1, MaxTrainSamples = 512, MaxTestSamples = 256 },
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        Search = new SearchSettings { PopulationSize = 4, Seed = 3 },
        Budget = new BudgetSettings { MaxEvaluations = 4 },
        Evaluation = new EvaluationSettingsSpec
        {
            FineTuneSteps = 3,
            BatchSize = 32,
            ValidationSamples = 128,
            LatencyBatchSize = 8,
            LatencyRuns = 2,
            LatencyMaxRuns = 2,
            LatencyWarmup = 1,
            Threads = 1,

            // No distillation: its teacher logits cover the whole training split (tens of seconds on the first evaluation of
            // each backend), and these tests are about where checkpoints and data come from, not how fine-tuning learns.
            DistillationWeight = 0,
        },
    };

    private static EvaluationRequest Request(ExperimentSpec spec, PreparedExperiment prepared, GenomeLayout layout)
    {
        var genome = Genome.Full(layout);
        var text = genome.ToCanonicalString();
        return new EvaluationRequest
        {
            ExperimentId = "travel",
            CandidateId = 1,
            Spec = spec,
            Prepared = prepared,
            MaskText = text,
            MaskHash = Sha256Hex.Of(text),
        };
    }

    private (TorchSharpEvaluationBackend Backend, string Cache) Backend(string db)
    {
        var cache = Temp();
        var options = new TorchSharpBackendOptions { Threads = 1, CheckpointCacheDirectory = cache };
        var store = new CachedArtifactStore(new LocalArtifactStore(options.ResolvedArtifactDirectory), new PostgresArtifactStore(db), NullLogger<CachedArtifactStore>.Instance);
        return (new TorchSharpEvaluationBackend(Options.Create(options), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance, store), cache);
    }

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
    }

    private string Temp()
    {
        var directory = Path.Combine(Path.GetTempPath(), "prunercluster-travel-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        _directories.Add(directory);
        return directory;
    }

    private async Task<string> DatabaseAsync()
    {
        var db = await postgres.Server.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db);
        return db;
    }
}
