using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests.Specs;

/// <summary>One name for one thing: problems in the object form of "dataset" are named as written, and an internal name that contradicts the visible one is refused.</summary>
[Trait("Category", "Unit")]
public sealed class SpecNamingTests
{
    [Fact]
    public void A_typo_inside_the_dataset_object_is_named_as_the_user_wrote_it()
    {
        var error = Assert.Throws<SpecFileException>(() => SpecFile.Parse("""{ "name": "typo", "dataset": { "format": "image-folder", "rooot": "data/flowers" } }""", "typo.json"));
        Assert.Contains("dataset.rooot", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("datasetSource", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatasetSource_beside_a_dataset_naming_something_else_is_refused_naming_both()
    {
        var error = Assert.Throws<SpecFileException>(() => SpecFile.Parse(
            """{ "name": "two-names", "dataset": "fashion-mnist", "datasetSource": { "format": "image-folder", "root": "data/flowers" } }""", "two.json"));
        Assert.Contains("datasetSource", error.Message, StringComparison.Ordinal);
        Assert.Contains("'image-folder'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'fashion-mnist'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_directorys_spec_json_with_the_internal_names_reads_back_unchanged()
    {
        var spec = SpecFile.Parse("""{ "name": "folder", "dataset": { "format": "image-folder", "root": "data/flowers" }, "budget": { "maxEvaluations": 4 } }""", "folder.json");
        Assert.Equal(DatasetSourceSpec.ImageFolder, spec.Dataset);
        var again = SpecFile.Parse(SpecFile.Serialize(spec), RunDirectory.SpecFileName);
        Assert.Equal(spec.DatasetSource, again.DatasetSource);
        Assert.Equal(spec.Dataset, again.Dataset);
    }
}
