using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Structure;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Evaluation;

/// <summary>A promotion up a fidelity ladder continues from the lower rung's fine-tuned weights instead of the baseline's.</summary>
[Trait("Category", "Slow")]
public sealed class WarmStartTests : IDisposable
{
    private static readonly EvaluationSettings Rung = PruningEvaluatorTests.Fast with { FineTuneSteps = 6 };

    private readonly string _store = Path.Combine(Path.GetTempPath(), "prunercluster-warm-" + Guid.NewGuid().ToString("N")[..12]);

    public WarmStartTests() => TestSupport.Init();

    public void Dispose()
    {
        if (Directory.Exists(_store))
        {
            Directory.Delete(_store, recursive: true);
        }
    }

    [Fact]
    public void AWarmStartWithNoStepsMissingScoresTheStoredModelExactly()
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        var store = new LocalArtifactStore(_store);
        var evaluator = TestSupport.Evaluator(store);
        var mask = PruningEvaluatorTests.HalfMask(checkpoint.Architecture!);
        var lower = evaluator.Evaluate(checkpoint, mask, Rung, torch.CPU);
        Assert.True(lower.Succeeded, lower.FailureReason);
        var weights = store.Get(lower.WeightsSha256!)!;

        var continued = evaluator.Evaluate(checkpoint, mask, Rung, torch.CPU, new WarmStart(weights, Rung.FineTuneSteps));
        Assert.True(continued.Succeeded, continued.FailureReason);
        Assert.Equal(lower.Metric(MetricNames.Accuracy), continued.Metric(MetricNames.Accuracy));
        Assert.Equal(Rung.FineTuneSteps, continued.Metric(MetricNames.WarmStartSteps));
        Assert.Equal(lower.WeightsSha256, continued.WeightsSha256);
        Assert.DoesNotContain(continued.Notes, n => n.Contains("warm start", StringComparison.Ordinal));
    }

    [Fact]
    public void AWarmStartRunsOnlyTheMissingStepsAndDiffersFromAColdStart()
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        var store = new LocalArtifactStore(_store);
        var evaluator = TestSupport.Evaluator(store);
        var mask = PruningEvaluatorTests.HalfMask(checkpoint.Architecture!);
        var lower = evaluator.Evaluate(checkpoint, mask, Rung with { FineTuneSteps = 3 }, torch.CPU);
        var weights = store.Get(lower.WeightsSha256!)!;

        var warm = evaluator.Evaluate(checkpoint, mask, Rung, torch.CPU, new WarmStart(weights, 3));
        var cold = evaluator.Evaluate(checkpoint, mask, Rung, torch.CPU);
        Assert.True(warm.Succeeded && cold.Succeeded, warm.FailureReason ?? cold.FailureReason);
        Assert.Equal(3, warm.Metric(MetricNames.WarmStartSteps));
        Assert.False(cold.Metrics.ContainsKey(MetricNames.WarmStartSteps));
        Assert.NotEqual(cold.WeightsSha256, warm.WeightsSha256);
        Assert.True(warm.PhaseSeconds.ContainsKey("warm_start"));
    }

    [Fact]
    public void WeightsOfAnotherShapeAreIgnoredWithANoteAndTheEvaluationStartsCold()
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        var store = new LocalArtifactStore(_store);
        var evaluator = TestSupport.Evaluator(store);
        var full = PruneMask.Full(PruningStructure.Analyze(checkpoint.Architecture!));
        var other = evaluator.Evaluate(checkpoint, full, Rung, torch.CPU);
        var mismatched = store.Get(other.WeightsSha256!)!;

        var mask = PruningEvaluatorTests.HalfMask(checkpoint.Architecture!);
        var result = evaluator.Evaluate(checkpoint, mask, Rung, torch.CPU, new WarmStart(mismatched, 3));
        var cold = evaluator.Evaluate(checkpoint, mask, Rung, torch.CPU);
        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Contains(result.Notes, n => n.StartsWith("warm start ignored", StringComparison.Ordinal));
        Assert.False(result.Metrics.ContainsKey(MetricNames.WarmStartSteps));
        Assert.Equal(cold.Metric(MetricNames.Accuracy), result.Metric(MetricNames.Accuracy));
    }
}
