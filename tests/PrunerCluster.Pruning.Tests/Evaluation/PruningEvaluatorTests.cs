using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Evaluation;

[Trait("Category", "Slow")]
public sealed class PruningEvaluatorTests
{
    internal static readonly EvaluationSettings Fast = new()
    {
        FineTuneSteps = 5,
        BatchSize = 32,
        ValidationSamples = 256,
        LatencyBatchSize = 16,
        LatencyRuns = 3,
        LatencyWarmup = 1,
        Threads = 1,
    };

    public PruningEvaluatorTests() => TestSupport.Init();

    [Fact]
    public void StructuredEvaluationReportsEveryMetric()
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        var mask = HalfMask(checkpoint.Architecture!);
        var result = TestSupport.Evaluator().Evaluate(checkpoint, mask, Fast, torch.CPU);

        Assert.True(result.Succeeded, result.FailureReason);
        foreach (var name in new[] { "accuracy", "accuracy_drop", "macro_f1", "macs", "flops", "params", "size_bytes", "latency_ms", "throughput", "peak_memory_bytes", "energy_mj", "kept_fraction" })
        {
            Assert.True(result.Metrics.ContainsKey(name), name);
            Assert.True(double.IsFinite(result.Metrics[name]), name);
        }

        Assert.InRange(result.Metric(MetricNames.Accuracy), 0.3, 1.0);
        Assert.Equal(2 * result.Metric(MetricNames.Macs), result.Metric(MetricNames.Flops));
        Assert.Equal((784 * 128) + (128 * 64) + (64 * 10), result.Metric(MetricNames.Macs));
        Assert.Equal(0.5, result.Metric(MetricNames.KeptFraction), 6);
        Assert.Equal("modeled", result.EnergySource);
        Assert.Equal("modeled", result.MetricSources[MetricNames.EnergyMj]);
        Assert.Equal("measured", result.MetricSources[MetricNames.LatencyMs]);
        Assert.Equal("analytic", result.MetricSources[MetricNames.Macs]);
        Assert.Equal(10, result.PerClassRecall.Count);
        Assert.Equal(128, result.PrunedArchitecture!.Width("fc1"));
        foreach (var phase in new[] { "load", "apply", "fine_tune", "validate", "latency", "total" })
        {
            Assert.True(result.PhaseSeconds.ContainsKey(phase), phase);
        }

        var again = TestSupport.Evaluator().Evaluate(checkpoint, mask, Fast, torch.CPU);
        Assert.Equal(result.Metric(MetricNames.Accuracy), again.Metric(MetricNames.Accuracy));
    }

    [Fact]
    public void LatencyIsScaledByTheUnprunedReferenceUnlessTimedAlone()
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        var mask = HalfMask(checkpoint.Architecture!);
        var settings = Fast with { FineTuneSteps = 0, ValidationSamples = 32 };
        var evaluator = TestSupport.Evaluator();
        var paired = evaluator.Evaluate(checkpoint, mask, settings, torch.CPU);
        Assert.True(paired.Succeeded, paired.FailureReason);
        var ratio = paired.Metric(MetricNames.LatencyRatio);
        var scale = paired.Metric(MetricNames.LatencyReferenceMs);
        Assert.InRange(ratio, 0.01, 5);
        Assert.True(scale > 0);
        Assert.Equal(ratio * scale, paired.Metric(MetricNames.LatencyMs), 9);
        Assert.True(paired.Metric(MetricNames.LatencyRawMs) > 0);

        // A second evaluation under the same host shares the calibrated scale.
        var second = evaluator.Evaluate(checkpoint, PruneMask.Full(PruningStructure.Analyze(checkpoint.Architecture!)), settings, torch.CPU);
        Assert.Equal(scale, second.Metric(MetricNames.LatencyReferenceMs));

        var alone = TestSupport.Evaluator().Evaluate(checkpoint, mask, settings with { LatencyReference = LatencyReference.None }, torch.CPU);
        Assert.True(alone.Succeeded, alone.FailureReason);
        Assert.False(alone.Metrics.ContainsKey(MetricNames.LatencyRatio));
        Assert.Equal(alone.Metric(MetricNames.LatencyRawMs), alone.Metric(MetricNames.LatencyMs));
    }

    [Theory]
    [InlineData("lenet5")]
    [InlineData("vgg")]
    [InlineData("resnet")]
    public void EveryZooModelEvaluates(string kind)
    {
        var checkpoint = TestCheckpoints.Untrained(kind);

        // No distillation: its teacher logits cover the whole Fashion-MNIST training split (55,000 images through an untrained VGG
        // or ResNet: 41 and 11 of the assembly's 65 minutes on a loaded 2-core machine, for 2 fine-tuning steps). Distillation is
        // DistillationLearnsFromTheTeachersLogitsComputedOncePerProcess's subject; this test is about every architecture (#28).
        var settings = Fast with { FineTuneSteps = 2, ValidationSamples = 64, RoundChannelsTo = 8, DistillationWeight = 0 };
        var result = TestSupport.Evaluator().Evaluate(checkpoint, HalfMask(checkpoint.Architecture!), settings, torch.CPU);
        Assert.True(result.Succeeded, result.FailureReason);
        Assert.InRange(result.Metric(MetricNames.MacRatio), 0.1, 0.75);
    }

    [Fact]
    public void UnstructuredAndHybridModesSparsify()
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        var levels = new Dictionary<string, int> { ["fc1"] = 3, ["fc2"] = 2 };
        var full = PruneMask.Full(PruningStructure.Analyze(checkpoint.Architecture!)) with { SparsityLevels = levels };
        var unstructured = TestSupport.Evaluator().Evaluate(checkpoint, full, Fast with { Mode = PruningMode.Unstructured }, torch.CPU);
        Assert.True(unstructured.Succeeded, unstructured.FailureReason);
        Assert.Equal(1.0, unstructured.Metric(MetricNames.MacRatio));
        Assert.InRange(unstructured.Metric(MetricNames.EffectiveMacs) / unstructured.Metric(MetricNames.Macs), 0.2, 0.3);

        var hybrid = TestSupport.Evaluator().Evaluate(checkpoint, HalfMask(checkpoint.Architecture!) with { SparsityLevels = levels }, Fast with { Mode = PruningMode.Hybrid }, torch.CPU);
        Assert.True(hybrid.Succeeded, hybrid.FailureReason);
        Assert.True(hybrid.Metric(MetricNames.EffectiveMacs) < hybrid.Metric(MetricNames.Macs));
        Assert.True(hybrid.Metric(MetricNames.Macs) < unstructured.Metric(MetricNames.Macs));
    }

    [Fact]
    public void FailuresAreResultsWithReasons()
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        var evaluator = TestSupport.Evaluator();

        var wrongLength = evaluator.Evaluate(checkpoint, new PruneMask(new Dictionary<string, bool[]> { ["fc1"] = new bool[5] }), Fast, torch.CPU);
        Assert.False(wrongLength.Succeeded);
        Assert.StartsWith("invalid mask", wrongLength.FailureReason, StringComparison.Ordinal);

        var empty = new PruneMask(new Dictionary<string, bool[]> { ["fc2"] = new bool[128] });
        var rejected = evaluator.Evaluate(checkpoint, empty, Fast with { EmptyGroups = EmptyGroupPolicy.Reject }, torch.CPU);
        Assert.False(rejected.Succeeded);
        Assert.Contains("fc2", rejected.FailureReason, StringComparison.Ordinal);
        var repaired = evaluator.Evaluate(checkpoint, empty, Fast, torch.CPU);
        Assert.True(repaired.Succeeded, repaired.FailureReason);
        Assert.Contains(repaired.Notes, n => n.Contains("repaired fc2", StringComparison.Ordinal));

        var diverged = evaluator.Evaluate(checkpoint, HalfMask(checkpoint.Architecture!), Fast with { LearningRate = 1e6, Optimizer = PrunerCluster.Pruning.Training.OptimizerKind.Sgd }, torch.CPU);
        Assert.False(diverged.Succeeded);
        Assert.Contains("diverged", diverged.FailureReason, StringComparison.Ordinal);

        var badLevel = evaluator.Evaluate(checkpoint, HalfMask(checkpoint.Architecture!) with { SparsityLevels = new Dictionary<string, int> { ["fc1"] = 17 } }, Fast with { Mode = PruningMode.Hybrid }, torch.CPU);
        Assert.False(badLevel.Succeeded);
        Assert.Contains("level 17", badLevel.FailureReason, StringComparison.Ordinal);

        var badSettings = evaluator.Evaluate(checkpoint, HalfMask(checkpoint.Architecture!), Fast with { RoundChannelsTo = 5 }, torch.CPU);
        Assert.False(badSettings.Succeeded);
        Assert.Contains("RoundChannelsTo", badSettings.FailureReason, StringComparison.Ordinal);

        var missing = evaluator.Evaluate(checkpoint with { ContentHash = new string('0', 64) }, HalfMask(checkpoint.Architecture!), Fast, torch.CPU);
        Assert.False(missing.Succeeded);
        Assert.Contains("SHA-256", missing.FailureReason, StringComparison.Ordinal);
        Assert.StartsWith("InvalidDataException in load: ", missing.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void DistillationLearnsFromTheTeachersLogitsComputedOncePerHost()
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        var evaluator = TestSupport.Evaluator();
        var first = evaluator.Evaluate(checkpoint, HalfMask(checkpoint.Architecture!), Fast with { DistillationWeight = 0.5 }, torch.CPU);
        Assert.True(first.Succeeded, first.FailureReason);
        var second = evaluator.Evaluate(checkpoint, HalfMask(checkpoint.Architecture!), Fast with { DistillationWeight = 0.5, LearningRate = 1e-3 }, torch.CPU);
        Assert.True(second.Succeeded, second.FailureReason);
        Assert.True(first.PhaseSeconds.ContainsKey("teacher"));
        Assert.False(second.PhaseSeconds.ContainsKey("teacher"), "the second evaluation reads the logits the first computed");
        var plain = evaluator.Evaluate(checkpoint, HalfMask(checkpoint.Architecture!), Fast with { DistillationWeight = 0 }, torch.CPU);
        Assert.False(plain.PhaseSeconds.ContainsKey("teacher"));
        Assert.NotEqual(plain.Metrics[MetricNames.FineTuneLoss], first.Metrics[MetricNames.FineTuneLoss]);
    }

    [Fact]
    public void NoTensorLeaksAcrossOneHundredEvaluations()
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        var evaluator = TestSupport.Evaluator();
        var tiny = Fast with { FineTuneSteps = 1, BatchSize = 8, ValidationSamples = 16, LatencyBatchSize = 4, LatencyRuns = 1, LatencyWarmup = 0 };
        var groups = PruningStructure.Analyze(checkpoint.Architecture!);
        PruneMask Mask(int i) => PruneMask.FromRanking(groups, Importance.Rank(ModelForRanking.Value, ImportanceCriterion.Random, new ImportanceOptions { Seed = (ulong)i }), 0.3 + (0.005 * i));

        Assert.True(evaluator.Evaluate(checkpoint, Mask(0), tiny, torch.CPU).Succeeded);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 1; i <= 100; i++)
        {
            var result = evaluator.Evaluate(checkpoint, Mask(i), i % 10 == 0 ? tiny with { Mode = PruningMode.Hybrid } : tiny, torch.CPU);
            Assert.True(result.Succeeded, result.FailureReason);
        }

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    private static readonly Lazy<ZooModel> ModelForRanking = new(() => ModelZoo.Create(TestCheckpoints.TrainedMlp.Architecture!));

    internal static PruneMask HalfMask(ArchitectureSpec architecture)
    {
        using var model = ModelZoo.Create(architecture);
        return PruneMask.FromRanking(PruningStructure.Analyze(architecture), Importance.Rank(model, ImportanceCriterion.Random), 0.5);
    }
}
