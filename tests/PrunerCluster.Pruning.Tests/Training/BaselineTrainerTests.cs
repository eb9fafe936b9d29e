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

        var reports = new List<TrainingProgress>();
        var retrained = BaselineTrainer.TrainOrLoad(TestCheckpoints.TinyMlpSettings, TestSupport.TempDirectory(), report: reports.Add);
        Assert.Equal(checkpoint.ContentHash, retrained.ContentHash);
        Assert.Equal(checkpoint.TestAccuracy, retrained.TestAccuracy);

        // The progress feed climbs step by step to the last step of the last epoch; a cached baseline reports none.
        Assert.NotEmpty(reports);
        Assert.Equal(reports.Select(r => r.Step).Order(), reports.Select(r => r.Step));
        Assert.Equal((reports[^1].Steps, reports[^1].Epochs, reports[^1].Epochs), (reports[^1].Step, TestCheckpoints.TinyMlpSettings.Epochs, reports[^1].Epoch));
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Loss) && r.Elapsed >= TimeSpan.Zero));
        var none = new List<TrainingProgress>();
        BaselineTrainer.TrainOrLoad(TestCheckpoints.TinyMlpSettings, Path.GetDirectoryName(checkpoint.Path)!, report: none.Add);
        Assert.Empty(none);
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
