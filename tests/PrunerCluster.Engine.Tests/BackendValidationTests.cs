using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Training;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Tests;

[Trait("Category", "Slow")]
public sealed class BackendValidationTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "prunercluster-silo-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public BackendValidationTests() => Directory.CreateDirectory(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private TorchSharpEvaluationBackend Backend(int threads = 3) =>
        new(Options.Create(new TorchSharpBackendOptions { Threads = threads, CheckpointCacheDirectory = _temp }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);

    /// <summary>A spec the backend accepts on this machine (Fashion-MNIST from the Debian package).</summary>
    private static ExperimentSpec Valid() => new() { Name = "valid", Model = "lenet5", Dataset = DatasetCatalog.FashionMnist, Budget = new() { MaxEvaluations = 4 } };

    private static SpecError Single(IReadOnlyList<SpecError> errors, string field)
    {
        Assert.True(errors.Count == 1, "expected exactly one error, got: " + string.Join("; ", errors));
        Assert.Equal(field, errors[0].Field);
        return errors[0];
    }

    [Fact]
    public void Valid_spec_has_no_errors()
    {
        Assert.True(DatasetFilesPresent(), $"Fashion-MNIST is not installed at {DatasetCatalog.FashionMnistDefaultRoot} (apt-get install dataset-fashion-mnist)");
        Assert.Empty(Backend().Validate(Valid()));
    }

    [Fact]
    public void Unknown_model_names_the_field_and_the_known_models()
    {
        var error = Single(Backend().Validate(Valid() with { Model = "alexnet" }), "model");
        Assert.Contains("alexnet", error.Message, StringComparison.Ordinal);
        Assert.Contains("lenet5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_dataset_names_the_field()
    {
        var error = Single(Backend().Validate(Valid() with { Dataset = "imagenet" }), "dataset");
        Assert.Contains("imagenet", error.Message, StringComparison.Ordinal);
        Assert.Contains("fashion-mnist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_data_root_names_dataRoot_the_files_and_the_apt_package()
    {
        var empty = Path.Combine(_temp, "no-data");
        Directory.CreateDirectory(empty);
        var error = Single(Backend().Validate(Valid() with { DataRoot = empty }), "dataRoot");
        Assert.Contains(empty, error.Message, StringComparison.Ordinal);
        Assert.Contains("train-images-idx3-ubyte", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cifar10_without_data_root_names_dataRoot()
    {
        var error = Single(Backend().Validate(Valid() with { Dataset = DatasetCatalog.Cifar10 }), "dataRoot");
        Assert.Contains("cifar10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_checkpoint_names_baseline_checkpointPath()
    {
        var path = Path.Combine(_temp, "missing.bin");
        var error = Single(Backend().Validate(Valid() with { Baseline = new() { CheckpointPath = path } }), "baseline.checkpointPath");
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(null, -5)]
    public void Non_positive_baseline_slices_name_the_field(int? maxTrain, int? maxTest)
    {
        var errors = Backend().Validate(Valid() with { Baseline = new() { MaxTrainSamples = maxTrain, MaxTestSamples = maxTest } });
        Single(errors, maxTrain is not null ? "baseline.maxTrainSamples" : "baseline.maxTestSamples");
    }

    [Fact]
    public void Bad_evaluation_mode_names_the_field_and_the_choices()
    {
        var error = Single(Backend().Validate(Valid() with { Evaluation = new() { Mode = "sideways" } }), "evaluation.mode");
        Assert.Contains("sideways", error.Message, StringComparison.Ordinal);
        Assert.Contains("structured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_latency_reference_names_the_field_and_the_choices()
    {
        var error = Single(Backend().Validate(Valid() with { Evaluation = new() { LatencyReference = "baseline" } }), "evaluation.latencyReference");
        Assert.Contains("'baseline'", error.Message, StringComparison.Ordinal);
        Assert.Contains("unpruned", error.Message, StringComparison.Ordinal);
        Assert.Empty(Backend().Validate(Valid() with { Evaluation = new() { LatencyReference = "none" } }));
    }

    [Fact]
    public void Bad_optimizer_names_the_field()
    {
        Single(Backend().Validate(Valid() with { Evaluation = new() { Optimizer = "lbfgs2" } }), "evaluation.optimizer");
    }

    [Fact]
    public void Bad_channel_rounding_names_the_field()
    {
        Single(Backend().Validate(Valid() with { Evaluation = new() { RoundChannelsTo = 5 } }), "evaluation.roundChannelsTo");
    }

    [Fact]
    public void Negative_recalibration_batches_name_the_field_the_value_and_the_range()
    {
        var error = Single(Backend().Validate(Valid() with { Evaluation = new() { RecalibrationBatches = -2 } }), "evaluation.recalibrationBatches");
        Assert.Contains("-2", error.Message, StringComparison.Ordinal);
        Assert.Contains("non-negative", error.Message, StringComparison.Ordinal);
        Assert.Empty(Backend().Validate(Valid() with { Evaluation = new() { RecalibrationBatches = 0 } }));
        Assert.Equal(5, Backend().ResolveSettings(Valid() with { Evaluation = new() { RecalibrationBatches = 5 } }).RecalibrationBatches);
        Assert.Equal(new EvaluationSettings().RecalibrationBatches, Backend().ResolveSettings(Valid()).RecalibrationBatches);
    }

    [Fact]
    public void Several_problems_are_all_reported()
    {
        var errors = Backend().Validate(Valid() with { Model = "alexnet", Dataset = "imagenet", Evaluation = new() { Mode = "x" } });
        Assert.Equal(["model", "dataset", "evaluation.mode"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ResolveSettings_keeps_engine_defaults_for_unset_fields_with_backend_threads_and_search_seed()
    {
        var spec = Valid() with { Search = new() { Seed = 42 } };
        var settings = Backend(threads: 3).ResolveSettings(spec);
        var defaults = new EvaluationSettings();
        Assert.Equal(16, settings.RoundChannelsTo);
        Assert.Equal(defaults with { Threads = 3, Seed = 42, RoundChannelsTo = GenomeMaskMapper.DefaultLevelRounding }, settings with { SparsityLevels = defaults.SparsityLevels });
        Assert.Equal(defaults.SparsityLevels, settings.SparsityLevels);
        Assert.Equal(3, settings.Threads);
        Assert.Equal(42UL, settings.Seed);
    }

    [Fact]
    public void An_imported_model_without_a_learning_rate_gets_the_range_test_and_keeps_it_through_final_recovery_unless_a_rate_is_set()
    {
        var onnx = Valid() with { ModelSource = new ModelSourceSpec { Onnx = Path.Combine(_temp, "model.onnx") } };
        Assert.True(Backend().ResolveSettings(onnx).LearningRateSearch);
        Assert.False(Backend().ResolveSettings(onnx with { Evaluation = new() { LearningRate = 1e-3 } }).LearningRateSearch);
        Assert.False(Backend().ResolveSettings(Valid()).LearningRateSearch);
        Assert.Equal(BatchNormRebuild.Imported, Backend().ResolveSettings(onnx).RebuildBatchNorm);

        var search = Backend().ResolveSettings(onnx);
        Assert.True(FinalRecoveryPlan.Settings(search, new FinalRecoverySettings { FineTuneSteps = 600 }).LearningRateSearch);
        var fixedRate = FinalRecoveryPlan.Settings(search, new FinalRecoverySettings { FineTuneSteps = 600, LearningRate = 5e-4 });
        Assert.False(fixedRate.LearningRateSearch);
        Assert.Equal(5e-4, fixedRate.LearningRate);
    }

    [Fact]
    public void ResolveSettings_maps_every_evaluation_field()
    {
        var spec = Valid() with
        {
            Search = new() { Seed = 42 },
            Evaluation = new EvaluationSettingsSpec
            {
                FineTuneSteps = 7,
                LearningRate = 0.01,
                BatchSize = 16,
                Optimizer = "SGD",
                DistillationWeight = 0.5,
                ValidationSamples = 300,
                LatencyBatchSize = 8,
                LatencyRuns = 4,
                LatencyWarmup = 2,
                EnergyWindow = 250,
                RoundChannelsTo = 8,
                Mode = "hybrid",
                SparsityLevels = [0.0, 0.5],
                Seed = 9,
                Threads = 1,
                LatencyMaxRuns = 40,
                LatencyTargetCiPercent = 2.5,
                LatencyMaxSeconds = 3,
                ExclusiveTiming = false,
            },
        };
        var s = Backend().ResolveSettings(spec);
        Assert.Equal((40, 2.5, 3.0, false), (s.LatencyMaxRuns, s.LatencyTargetCiPercent, s.LatencyMaxSeconds, s.ExclusiveTiming));
        Assert.Equal(7, s.FineTuneSteps);
        Assert.Equal(0.01, s.LearningRate);
        Assert.Equal(16, s.BatchSize);
        Assert.Equal(OptimizerKind.Sgd, s.Optimizer);
        Assert.Equal(0.5, s.DistillationWeight);
        Assert.Equal(300, s.ValidationSamples);
        Assert.Equal(8, s.LatencyBatchSize);
        Assert.Equal(4, s.LatencyRuns);
        Assert.Equal(2, s.LatencyWarmup);
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.EnergyWindow);
        Assert.Equal(8, s.RoundChannelsTo);
        Assert.Equal(PruningMode.Hybrid, s.Mode);
        Assert.Equal([0.0, 0.5], s.SparsityLevels);
        Assert.Equal(9UL, s.Seed);
        Assert.Equal(1, s.Threads);
        s.Validate();
    }

    [Fact]
    public void ResolveSettings_hash_changes_with_the_settings_and_not_with_unrelated_spec_fields()
    {
        var backend = Backend();
        var a = backend.ResolveSettings(Valid() with { Evaluation = new() { Seed = 1 } });
        var b = backend.ResolveSettings(Valid() with { Name = "other", Weight = 3, Evaluation = new() { Seed = 1 } });
        var c = backend.ResolveSettings(Valid() with { Evaluation = new() { Seed = 1, FineTuneSteps = 3 } });
        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.NotEqual(a.ContentHash, c.ContentHash);
    }

    private static bool DatasetFilesPresent() =>
        Directory.Exists(DatasetCatalog.FashionMnistDefaultRoot) && Directory.EnumerateFiles(DatasetCatalog.FashionMnistDefaultRoot).Any();
}
