using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Tests;

[Trait("Category", "Unit")]
public sealed class SpecPathsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pc-roots-" + Guid.NewGuid().ToString("N")[..8]);

    public SpecPathsTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "b", "images"));
        Directory.CreateDirectory(Path.Combine(_root, "a"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private TorchSharpBackendOptions Cluster(params string[] roots) => new() { TrustSpecPaths = false, DataRoots = [.. roots.Select(r => Path.Combine(_root, r))] };

    [Theory]
    [InlineData("/etc")]
    [InlineData("../secrets")]
    [InlineData("data/../../x")]
    public void Absolute_paths_and_parent_steps_are_refused_naming_the_field_and_the_roots(string path)
    {
        var error = Assert.Single(SpecPaths.Check(new ExperimentSpec { DataRoot = path }, Cluster("a")));
        Assert.Equal("dataRoot", error.Field);
        Assert.Contains($"'{path}' refused", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_root, "a"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_path_field_is_checked_and_a_cache_directory_is_never_the_clients()
    {
        var spec = new ExperimentSpec
        {
            DatasetSource = new DatasetSourceSpec { Format = "image-folder", Root = "/srv/images" },
            ModelSource = new ModelSourceSpec { Onnx = "/m.onnx", Weights = "../w.pt" },
            Baseline = new BaselineSettings { CheckpointPath = "/c.bin", CacheDirectory = "cache" },
        };
        Assert.Equal(
            ["baseline.cacheDirectory", "baseline.checkpointPath", "dataset.root", "model.onnx", "model.weights"],
            SpecPaths.Check(spec, Cluster("a")).Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Without_data_roots_a_cluster_reads_no_named_file_but_built_in_data_sets_still_work()
    {
        Assert.Contains("no data roots", Assert.Single(SpecPaths.Check(new ExperimentSpec { DataRoot = "images" }, Cluster())).Message, StringComparison.Ordinal);
        Assert.Empty(SpecPaths.Check(new ExperimentSpec(), Cluster()));
    }

    [Fact]
    public void A_relative_path_resolves_under_the_first_root_that_holds_it()
    {
        var options = Cluster("a", "b");
        var spec = new ExperimentSpec { DatasetSource = new DatasetSourceSpec { Format = "image-folder", Root = "images" }, DataRoot = "missing" };
        Assert.Empty(SpecPaths.Check(spec, options));
        var resolved = SpecPaths.Resolve(spec, options);
        Assert.Equal(Path.Combine(_root, "b", "images"), resolved.DatasetSource!.Root);
        Assert.Equal(Path.Combine(_root, "a", "missing"), resolved.DataRoot);
    }

    [Fact]
    public void Trusted_paths_are_left_as_given()
    {
        var spec = new ExperimentSpec { DataRoot = "/data/fashion", Baseline = new BaselineSettings { CacheDirectory = "/tmp/cache" } };
        Assert.Empty(SpecPaths.Check(spec, new TorchSharpBackendOptions()));
        Assert.Same(spec, SpecPaths.Resolve(spec, new TorchSharpBackendOptions()));
    }
}
