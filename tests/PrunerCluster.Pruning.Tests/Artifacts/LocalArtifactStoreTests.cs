using System.Security.Cryptography;
using PrunerCluster.Pruning.Artifacts;

namespace PrunerCluster.Pruning.Tests.Artifacts;

[Trait("Category", "Unit")]
public sealed class LocalArtifactStoreTests
{
    [Fact]
    public void Blobs_are_keyed_by_sha256_references_point_at_them_and_corruption_is_detected()
    {
        var store = new LocalArtifactStore(TestSupport.TempDirectory());
        byte[] content = [1, 2, 3, 4, 5];
        var key = store.Put(content);
        Assert.Equal(Sha256Hex.Of(content), key);
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

    [Fact]
    public void Files_stream_in_and_blobs_are_written_out_verified()
    {
        var store = new LocalArtifactStore(TestSupport.TempDirectory());
        var source = Path.Combine(TestSupport.TempDirectory(), "weights.bin");
        File.WriteAllBytes(source, [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))]);
        var key = store.PutFile(source);
        Assert.Equal(Sha256Hex.Of(File.ReadAllBytes(source)), key);
        Assert.Equal(key, store.PutFile(source));

        var target = Path.Combine(TestSupport.TempDirectory(), "copy", "weights.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Assert.True(store.TryWriteTo(key, target));
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(target));
        Assert.False(store.TryWriteTo(new string('1', 64), target + ".absent"));
        Assert.False(File.Exists(target + ".absent"));

        store.Remove(key);
        Assert.Null(store.Get(key));
    }
}
