using System.Security.Cryptography;
using PrunerCluster.Pruning.Artifacts;

namespace PrunerCluster.Pruning.Tests.Artifacts;

public sealed class LocalArtifactStoreTests
{
    [Fact]
    public void Blobs_are_keyed_by_sha256_references_point_at_them_and_corruption_is_detected()
    {
        var store = new LocalArtifactStore(TestSupport.TempDirectory());
        byte[] content = [1, 2, 3, 4, 5];
        var key = store.Put(content);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), key);
        Assert.Equal(key, store.Put(content));
        Assert.Equal(content, store.Get(key));
        Assert.Null(store.Get(new string('0', 64)));

        Assert.Null(store.GetReference("individual-1"));
        store.SetReference("individual-1", key);
        Assert.Equal(key, new LocalArtifactStore(store.Directory).GetReference("individual-1"));

        Assert.Empty(Directory.EnumerateFiles(store.Directory, "*.tmp", SearchOption.AllDirectories));
        var blob = Directory.EnumerateFiles(Path.Combine(store.Directory, "blobs"), key, SearchOption.AllDirectories).Single();
        File.WriteAllBytes(blob, [9, 9, 9, 9, 9]);
        var e = Assert.Throws<InvalidDataException>(() => store.Get(key));
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => store.Get("not-a-key"));
    }
}
