using System.Security.Cryptography;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Tests.Artifacts;

[Trait("Category", "Unit")]
public sealed class CheckpointArtifactsTests
{
    [Fact]
    public void A_published_checkpoint_is_fetched_by_its_hash_or_its_training_settings_into_another_folder()
    {
        var store = new LocalArtifactStore(TestSupport.TempDirectory());
        var weights = Path.Combine(TestSupport.TempDirectory(), "lenet5.bin");
        File.WriteAllBytes(weights, [.. Enumerable.Range(0, 3000).Select(i => (byte)(i % 251))]);
        var hash = Sha256Hex.Of(File.ReadAllBytes(weights));
        var checkpoint = new BaselineCheckpoint(weights, "lenet5", "fashion-mnist", hash, 0.8, 0.79, 1) { SettingsHash = new string('5', 64), Epochs = 1 };

        CheckpointArtifacts.Publish(store, checkpoint);
        Assert.Null(CheckpointArtifacts.TryFetch(store, CheckpointArtifacts.ByHash(new string('0', 64)), Path.Combine(TestSupport.TempDirectory(), "x.bin")));

        var byHash = Path.Combine(TestSupport.TempDirectory(), "fetched", hash + ".bin");
        Directory.CreateDirectory(Path.GetDirectoryName(byHash)!);
        var fetched = CheckpointArtifacts.TryFetch(store, CheckpointArtifacts.ByHash(hash), byHash);
        Assert.NotNull(fetched);
        Assert.Equal(checkpoint with { Path = byHash }, fetched);
        Assert.Equal(File.ReadAllBytes(weights), File.ReadAllBytes(byHash));
        Assert.Equal(byHash, BaselineCheckpoint.Load(byHash + ".json").Path);

        var bySettings = Path.Combine(TestSupport.TempDirectory(), "lenet5-fashion-mnist-5555.bin");
        Assert.Equal(hash, CheckpointArtifacts.TryFetch(store, CheckpointArtifacts.BySettings(checkpoint.SettingsHash!), bySettings)!.ContentHash);

        // A checkpoint whose file no longer matches its recorded hash is never published.
        File.AppendAllText(weights, "x");
        Assert.Throws<InvalidDataException>(() => CheckpointArtifacts.Publish(store, checkpoint));
    }
}
