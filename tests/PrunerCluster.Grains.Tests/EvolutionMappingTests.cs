using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Grains.Tests;

public sealed class EvolutionMappingTests
{
    private static readonly Dictionary<string, double[]> Importance = new(StringComparer.Ordinal)
    {
        ["conv1"] = [3, 1, 2, 0],
        ["fc"] = [1, 2],
    };

    [Fact]
    public void LevelEncodingsSeedCorrelatedLevelsAndBlendParentsByDefault()
    {
        var settings = EvolutionMapping.Settings(new ExperimentSpec(), Prepared(GenomeEncodings.KeepRatio));
        Assert.Equal((CrossoverKind.Arithmetic, MutationKind.Creep), (settings.Crossover, settings.Mutation));
        Assert.Equal(EncodingDefaults.LevelSpread, settings.InitialLevelSpread);
        Assert.Equal(EncodingDefaults.LevelDensities, settings.InitialDensities);
        Assert.Equal(3, settings.SeedLevelFractions!.Length);
        Assert.Null(settings.SeedRankings);

        var chosen = new ExperimentSpec { Search = new SearchSettings { Crossover = "uniform", Mutation = "bitFlip" } };
        var overridden = EvolutionMapping.Settings(chosen, Prepared(GenomeEncodings.KeepRatio));
        Assert.Equal((CrossoverKind.Uniform, MutationKind.BitFlip), (overridden.Crossover, overridden.Mutation));
    }

    [Fact]
    public void ChannelBitsKeepTheSeedDesignsOperatorsAndMagnitudeSeeds()
    {
        var settings = EvolutionMapping.Settings(new ExperimentSpec(), Prepared(GenomeEncodings.ChannelBits));
        Assert.Equal((CrossoverKind.Uniform, MutationKind.BitFlip), (settings.Crossover, settings.Mutation));
        Assert.Null(settings.InitialLevelSpread);
        Assert.Null(settings.SeedLevelFractions);
        Assert.Equal(EncodingDefaults.SeedKeepRatios, Assert.Single(settings.SeedRankings!).KeepRatios);
        Assert.Equal(new Nsga2Settings().InitialDensities, settings.InitialDensities);
    }

    private static PreparedExperiment Prepared(string encoding) => new()
    {
        Segments = [],
        CheckpointHash = "c",
        SettingsHash = "s",
        SegmentImportance = Importance,
        Encoding = encoding,
        KeepLevels = 16,
    };
}
