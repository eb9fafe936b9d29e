using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Tests;

/// <summary>
/// <c>dataset.normalize</c> reaches every key a cached result is found by: the evaluation settings hash (evaluations, final
/// recovery), the baseline's training hash and the data set's descriptor; the default leaves every existing key as it was.
/// </summary>
[Trait("Category", "Unit")]
public sealed class NormalizeSettingsTests
{
    private static ExperimentSpec Spec(InputNormalizationSpec? normalize, string model = "vgg") => new()
    {
        Name = "norm",
        Model = model,
        Dataset = DatasetSourceSpec.CifarBinary,
        DatasetSource = new DatasetSourceSpec { Format = DatasetSourceSpec.CifarBinary, Root = "/data/c", Normalize = normalize },
    };

    [Fact]
    public void Each_normalisation_has_its_own_settings_hash_and_baseline_hash()
    {
        var specs = new[]
        {
            Spec(null),
            Spec(InputNormalizationSpec.Named("imagenet")),
            Spec(InputNormalizationSpec.Named("none")),
            Spec(InputNormalizationSpec.Explicit([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])),
            Spec(InputNormalizationSpec.Explicit([0.5, 0.5, 0.5], [0.25, 0.25, 0.5])),
        };
        var settings = specs.Select(s => SpecSettings.Resolve(s, 1).ContentHash).ToArray();
        Assert.Equal(specs.Length, settings.Distinct().Count());
        var baselines = specs.Select(s => SpecSettings.BaselineTraining(s, 1).ContentHash).ToArray();
        Assert.Equal(specs.Length, baselines.Distinct().Count());

        Assert.Equal("imagenet", SpecSettings.Resolve(specs[1], 1).Normalization);
        Assert.Equal("imagenet", SpecSettings.BaselineTraining(specs[1], 1).Source!.Normalization);
        Assert.Equal("imagenet", DataSourceResolver.Resolve(specs[1], out _)!.Normalization);
    }

    [Fact]
    public void The_default_written_out_keeps_the_hashes_of_a_spec_without_it()
    {
        var without = Spec(null);
        var written = Spec(InputNormalizationSpec.Named("dataset"));
        Assert.Equal(SpecSettings.Resolve(without, 1).ContentHash, SpecSettings.Resolve(written, 1).ContentHash);
        Assert.Equal(SpecSettings.BaselineTraining(without, 1).ContentHash, SpecSettings.BaselineTraining(written, 1).ContentHash);
        Assert.Null(SpecSettings.Resolve(written, 1).Normalization);
        Assert.DoesNotContain("ormalization", SpecSettings.Resolve(written, 1).ToJson(), StringComparison.Ordinal);
    }
}
