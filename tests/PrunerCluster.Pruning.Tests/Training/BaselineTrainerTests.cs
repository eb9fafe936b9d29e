using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Tests.Training;

[Trait("Category", "Slow")]
public sealed class BaselineTrainerTests
{
    [Fact]
    public void TrainingIsDeterministicCachedAndHashed()
    {
        var checkpoint = TestCheckpoints.TrainedMlp;
        Assert.Equal(64, checkpoint.ContentHash.Length);
        Assert.InRange(checkpoint.TestAccuracy, 0.6, 1.0);
        Assert.True(File.Exists(checkpoint.Path + ".json"));

        var messages = new List<string>();
        var cached = BaselineTrainer.TrainOrLoad(TestCheckpoints.TinyMlpSettings, Path.GetDirectoryName(checkpoint.Path)!, messages.Add);
        Assert.Equal(checkpoint.ContentHash, cached.ContentHash);
        Assert.Contains(messages, m => m.Contains("reusing", StringComparison.Ordinal));

        var retrained = BaselineTrainer.TrainOrLoad(TestCheckpoints.TinyMlpSettings, TestSupport.TempDirectory());
        Assert.Equal(checkpoint.ContentHash, retrained.ContentHash);
        Assert.Equal(checkpoint.TestAccuracy, retrained.TestAccuracy);
    }

    [Fact]
    public void TamperedCheckpointIsDetected()
    {
        var dir = TestSupport.TempDirectory();
        var checkpoint = BaselineTrainer.TrainOrLoad(TestCheckpoints.TinyMlpSettings with { MaxTrainSamples = 128 }, dir);
        File.AppendAllText(checkpoint.Path, "x");
        Assert.Contains("SHA-256", Assert.Throws<InvalidDataException>(checkpoint.Verify).Message, StringComparison.Ordinal);

        var messages = new List<string>();
        var again = BaselineTrainer.TrainOrLoad(TestCheckpoints.TinyMlpSettings with { MaxTrainSamples = 128 }, dir, messages.Add);
        Assert.Contains(messages, m => m.Contains("retraining", StringComparison.Ordinal));
        again.Verify();
    }

    [Fact]
    public void InvalidSettingsAreRejected() =>
        Assert.Throws<ArgumentException>(() => BaselineTrainer.TrainOrLoad(new BaselineTrainingSettings { Model = "alexnet" }, TestSupport.TempDirectory()));
}
