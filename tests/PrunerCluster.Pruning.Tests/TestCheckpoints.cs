using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Tests;

internal static class TestCheckpoints
{
    /// <summary>An MLP trained for one epoch on 1024 real Fashion-MNIST images (about a second).</summary>
    public static BaselineTrainingSettings TinyMlpSettings { get; } = new()
    {
        Model = ModelZoo.Mlp,
        Epochs = 1,
        BatchSize = 64,
        MaxTrainSamples = 1024,
        MaxTestSamples = 500,
        Threads = 1,
        Seed = 3,
    };

    private static readonly Lazy<BaselineCheckpoint> TinyMlp = new(() => BaselineTrainer.TrainOrLoad(TinyMlpSettings, TestSupport.TempDirectory()));

    public static BaselineCheckpoint TrainedMlp => TinyMlp.Value;

    /// <summary>An untrained (seeded) zoo model saved as a Fashion-MNIST checkpoint: exercises the evaluator on any architecture without training.</summary>
    public static BaselineCheckpoint Untrained(string kind, long seed = 5)
    {
        var dir = TestSupport.TempDirectory();
        var path = Path.Combine(dir, kind + ".bin");
        var architecture = ModelZoo.DefaultArchitecture(kind, 1, 28, 10);
        using (var model = ModelZoo.Create(architecture, seed))
        {
            model.save(path);
        }

        return new BaselineCheckpoint(path, kind, DatasetCatalog.FashionMnist, Sha256Hex.OfFile(path), 0.1, 0.1, seed) { Architecture = architecture };
    }
}
