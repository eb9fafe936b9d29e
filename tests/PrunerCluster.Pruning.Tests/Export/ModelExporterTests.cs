using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Tests.Evaluation;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Export;

[Trait("Category", "Slow")]
public sealed class ModelExporterTests
{
    public ModelExporterTests() => TestSupport.Init();

    [Theory]
    [InlineData(PruningMode.Structured)]
    [InlineData(PruningMode.Hybrid)]
    public void ExportedModelReloadsWithTheSameAccuracy(PruningMode mode)
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        var dir = TestSupport.TempDirectory();
        var settings = new EvaluationSettings { FineTuneSteps = 10, BatchSize = 32, ValidationSamples = 500, LatencyRuns = 2, LatencyWarmup = 0, Threads = 1, Mode = mode };
        var mask = PruningEvaluatorTests.HalfMask(checkpoint.Architecture!) with { SparsityLevels = new Dictionary<string, int> { ["fc1"] = 2 } };
        var result = TestSupport.Evaluator().EvaluateAndExport(checkpoint, mask, settings, torch.CPU, dir);
        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(dir, result.ExportDirectory);

        using var exported = ModelExporter.Load(dir);
        var card = exported.Card;
        Assert.True(card.Architecture.SameAs(result.PrunedArchitecture!));
        Assert.Equal(checkpoint.ContentHash, card.SourceCheckpointHash);
        Assert.Equal(result.KeptIndices["fc1"], card.KeptIndices["fc1"]);
        Assert.Equal(settings.Seed, card.Seed);
        Assert.Equal(result.Metric(MetricNames.Accuracy), card.Metrics[MetricNames.Accuracy]);

        var split = TestSupport.Datasets.GetOrLoad(checkpoint.Dataset, checkpoint.DataRoot, checkpoint.ValidationSize, checkpoint.SplitSeed);
        var reloaded = ClassificationMetrics.Evaluate(exported.Model, split.Validation, settings.ValidationSamples);
        Assert.Equal(card.Metrics[MetricNames.Accuracy], reloaded.Accuracy);
        Assert.Equal(card.Metrics[MetricNames.NonzeroParams], ModelFootprint.Of(exported.Model).NonzeroParameters);
    }

    [Fact]
    public void TamperedOrMissingExportsFailClearly()
    {
        var dir = TestSupport.TempDirectory();
        Assert.Contains("model card", Assert.Throws<FileNotFoundException>(() => ModelExporter.Load(dir)).Message, StringComparison.Ordinal);

        var checkpoint = TestCheckpoints.TrainedMlp;
        var settings = new EvaluationSettings { FineTuneSteps = 0, ValidationSamples = 64, LatencyRuns = 1, LatencyWarmup = 0, Threads = 1 };
        Assert.True(TestSupport.Evaluator().EvaluateAndExport(checkpoint, PruningEvaluatorTests.HalfMask(checkpoint.Architecture!), settings, torch.CPU, dir).Succeeded);
        File.AppendAllText(Path.Combine(dir, ModelExporter.WeightsFileName), "junk");
        Assert.Contains("SHA-256", Assert.Throws<InvalidDataException>(() => ModelExporter.Load(dir)).Message, StringComparison.Ordinal);
    }
}
