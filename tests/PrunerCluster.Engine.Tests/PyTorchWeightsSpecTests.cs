using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Engine.Backends;
using TorchSharp;

namespace PrunerCluster.Engine.Tests;

/// <summary>
/// <c>"model": {"zoo": ..., "weights": ...}</c>: PyTorch weights are checked against the architecture sized for the data when the spec
/// is validated (before any work starts) and become the search's baseline when it is prepared.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PyTorchWeightsSpecTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "prunercluster-pytorch-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public PyTorchWeightsSpecTests() => Directory.CreateDirectory(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private TorchSharpEvaluationBackend Backend() =>
        new(Options.Create(new TorchSharpBackendOptions { Threads = 1, CheckpointCacheDirectory = Path.Combine(_temp, "cache") }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);

    private ExperimentSpec Spec(string weights, string zoo = "lenet5") => new()
    {
        Name = "pytorch-weights",
        Model = zoo,
        ModelSource = new ModelSourceSpec { Zoo = zoo, Weights = weights },
        Dataset = "idx",
        DatasetSource = new DatasetSourceSpec { Format = "idx", Root = DataSourceValidationTests.WriteIdx(_temp, "digits", train: 120, test: 20, size: 16, classes: 4), Validation = 20 },
        Budget = new() { MaxEvaluations = 2 },
        Evaluation = new EvaluationSettingsSpec { FineTuneSteps = 0, ValidationSamples = 20, LatencyBatchSize = 4, LatencyRuns = 2, LatencyMaxRuns = 2, LatencyWarmup = 1, EnergyWindow = 0, Threads = 1 },
    };

    [Fact]
    public void Weights_that_do_not_fit_the_architecture_sized_for_the_data_are_one_spec_error_listing_every_problem()
    {
        // Trained for 28x28 images and 10 classes; the data has 16x16 images and 4 classes.
        using var model = ModelZoo.Create(ModelZoo.LeNet5, 1, 28, 10, seed: 1);
        var path = Path.Combine(_temp, "lenet-28.safetensors");
        PyTorchStateDict.Save(model, path);

        var error = Assert.Single(Backend().Validate(Spec(path)));
        Assert.Equal("model.weights", error.Field);
        Assert.Contains("mis-shaped 3: fc1.weight is [120, 400], expected [120, 64]; fc3.weight is [10, 84], expected [4, 84]; fc3.bias is [10], expected [4]", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);

        var foreign = Path.Combine(_temp, "resnet-for-lenet.pt");
        using (var resnet = ModelZoo.Create(ModelZoo.ResNet, 1, 16, 4, seed: 1))
        {
            PyTorchStateDict.Save(resnet, foreign);
        }

        var mismatch = Assert.Single(Backend().Validate(Spec(foreign)));
        Assert.Contains("missing 10: conv1.weight [6, 1, 5, 5], conv1.bias [6]", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected ", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("b1_conv1.weight [16, 16, 3, 3]", mismatch.Message, StringComparison.Ordinal);

        var truncated = Path.Combine(_temp, "truncated.pt");
        File.WriteAllBytes(truncated, File.ReadAllBytes(foreign)[..100]);
        var unreadable = Assert.Single(Backend().Validate(Spec(truncated)));
        Assert.Equal("model.weights", unreadable.Field);
        Assert.Contains("truncated or another format", unreadable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fitting_weights_validate_clean_and_become_the_baseline_with_equal_outputs()
    {
        using var source = ModelZoo.Create(ModelZoo.LeNet5, 1, 16, 4, seed: 7);
        var path = Path.Combine(_temp, "lenet.pt");
        PyTorchStateDict.Save(source, path);
        var spec = Spec(path);
        var backend = Backend();
        Assert.Empty(backend.Validate(spec));

        var prepared = await backend.PrepareAsync(spec, CancellationToken.None);
        Assert.NotNull(prepared.CheckpointPath);
        Assert.True(prepared.BaselineMetrics.ContainsKey(MetricNames.Accuracy));
        using var stored = ModelZoo.Load(ModelZoo.DefaultArchitecture(ModelZoo.LeNet5, 1, 16, 4), prepared.CheckpointPath!);
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        source.eval();
        stored.eval();
        var input = torch.randn([3, 1, 16, 16], generator: new torch.Generator(2));
        Assert.True(source.call(input).allclose(stored.call(input), rtol: 0, atol: 0));

        // The same weights again reuse the imported checkpoint (its identity is the TorchSharp file's content).
        var again = await Backend().PrepareAsync(spec, CancellationToken.None);
        Assert.Equal(prepared.CheckpointHash, again.CheckpointHash);
    }
}
