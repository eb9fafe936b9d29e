using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Pruning.Tests.Data;

[Trait("Category", "Unit")]
public sealed class DatasetCacheTests
{
    [Fact]
    public void ACacheLoadsEachDataSetOnce()
    {
        var descriptor = Descriptor("once");
        var cache = new DatasetCache();
        var first = cache.GetOrLoad(descriptor, 1);
        Assert.Same(first, cache.GetOrLoad(descriptor, 1));
        Assert.NotSame(first, cache.GetOrLoad(descriptor, 2));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void TwoCachesDoNotShareEntries()
    {
        var descriptor = Descriptor("two");
        var first = new DatasetCache();
        var second = new DatasetCache();
        var loaded = first.GetOrLoad(descriptor, 1);
        Assert.Equal(0, second.Count);
        Assert.NotSame(loaded, second.GetOrLoad(descriptor, 1));
        first.Clear();
        Assert.Equal(0, first.Count);
        Assert.Equal(1, second.Count);
    }

    private static DatasetDescriptor Descriptor(string name) => new()
    {
        Format = DatasetFormats.Idx,
        Root = DatasetFiles.Idx(Path.Combine(TestSupport.TempDirectory(), name), train: 40, test: 10, size: 8, classes: 2),
        ValidationCount = 5,
    };
}
