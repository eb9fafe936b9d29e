using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Tests;

/// <summary><c>evaluation.importance</c> chooses the order a level genome keeps units in; it is part of the settings' identity.</summary>
[Trait("Category", "Slow")]
public sealed class ImportanceOrderTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "prunercluster-importance-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public ImportanceOrderTests() => Directory.CreateDirectory(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private TorchSharpEvaluationBackend Backend() =>
        new(Options.Create(new TorchSharpBackendOptions { Threads = 1, CheckpointCacheDirectory = Path.Combine(_temp, "cache") }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);

    private ExperimentSpec Spec(string weights, string? importance) => new()
    {
        Name = "importance",
        Model = ModelZoo.LeNet5,
        ModelSource = new ModelSourceSpec { Zoo = ModelZoo.LeNet5, Weights = weights },
        Dataset = "idx",
        DatasetSource = new DatasetSourceSpec { Format = "idx", Root = DataSourceValidationTests.WriteIdx(_temp, "digits", train: 120, test: 20, size: 16, classes: 4), Validation = 20 },
        Budget = new() { MaxEvaluations = 2 },
        Evaluation = new EvaluationSettingsSpec { FineTuneSteps = 0, ValidationSamples = 20, LatencyBatchSize = 4, LatencyRuns = 2, LatencyMaxRuns = 2, LatencyWarmup = 1, EnergyWindow = 0, Threads = 1, BatchSize = 16, Importance = importance, ImportanceBatches = 3 },
    };

    [Fact]
    public async Task Taylor_importance_orders_units_by_data_and_changes_the_settings_identity()
    {
        using (var model = ModelZoo.Create(ModelZoo.LeNet5, 1, 16, 4, seed: 3))
        {
            PyTorchStateDict.Save(model, Path.Combine(_temp, "lenet.pt"));
        }

        var weights = Path.Combine(_temp, "lenet.pt");
        var l1 = await Backend().PrepareAsync(Spec(weights, null), CancellationToken.None);
        var taylor = await Backend().PrepareAsync(Spec(weights, "taylor"), CancellationToken.None);
        var taylorAgain = await Backend().PrepareAsync(Spec(weights, "Taylor"), CancellationToken.None);

        Assert.NotEqual(l1.SettingsHash, taylor.SettingsHash);
        Assert.Equal(taylor.SettingsHash, taylorAgain.SettingsHash);
        Assert.Equal(l1.SegmentImportance!.Keys.Order(), taylor.SegmentImportance!.Keys.Order());
        Assert.Contains(l1.SegmentImportance.Keys, g => !l1.SegmentImportance[g].SequenceEqual(taylor.SegmentImportance[g]));
        Assert.All(taylor.SegmentImportance.Keys, g => Assert.Equal(taylor.SegmentImportance[g], taylorAgain.SegmentImportance![g]));
    }

    [Fact]
    public void An_unknown_criterion_names_the_field_and_the_choices()
    {
        var errors = Backend().Validate(Spec(Path.Combine(_temp, "none.pt"), "gradient") with { ModelSource = null });
        var error = Assert.Single(errors, e => e.Field == "evaluation.importance");
        Assert.Contains("'gradient'", error.Message, StringComparison.Ordinal);
        Assert.Contains("taylor", error.Message, StringComparison.Ordinal);
    }
}
