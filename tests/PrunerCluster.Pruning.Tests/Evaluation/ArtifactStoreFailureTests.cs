using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Pruning.Evaluation;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Evaluation;

[Trait("Category", "Slow")]
public sealed class ArtifactStoreFailureTests
{
    public ArtifactStoreFailureTests() => TestSupport.Init();

    [Fact]
    public void A_store_that_cannot_take_the_weights_fails_the_attempt_not_the_mask()
    {
        // A store whose directory is a file: every write fails with an IOException, as a full disk or a lost database would.
        var blocked = Path.Combine(TestSupport.TempDirectory(), "not-a-directory");
        File.WriteAllText(blocked, "x");
        var evaluator = TestSupport.Evaluator(new LocalArtifactStore(blocked));
        var checkpoint = TestCheckpoints.TrainedMlp;
        var settings = new EvaluationSettings { FineTuneSteps = 2, BatchSize = 32, ValidationSamples = 64, LatencyBatchSize = 8, LatencyRuns = 2, LatencyWarmup = 1, Threads = 1 };

        var ex = Assert.Throws<ArtifactStoreException>(() => evaluator.Evaluate(checkpoint, PruningEvaluatorTests.HalfMask(checkpoint.Architecture!), settings, torch.CPU));
        Assert.Contains(blocked, ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(ex.InnerException);
    }
}
