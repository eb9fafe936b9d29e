using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Grains.Tests;

[Trait("Category", "Unit")]
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
        Assert.Null(settings.LevelKeepFractions);

        // Prepared with the distinct widths per gene value: seeds and random members aim at keep fractions.
        var widths = Prepared(GenomeEncodings.KeepRatio) with
        {
            Segments = [new GenomeSegment("conv1", 0, 1, 1, 0), new GenomeSegment("fc", 0, 1, 1, 0)],
            LevelCounts = new Dictionary<string, int[]>(StringComparer.Ordinal) { ["conv1"] = [4, 2], ["fc"] = [2, 1] },
        };
        var byKeep = EvolutionMapping.Settings(new ExperimentSpec(), widths);
        Assert.Equal([[1.0, 0.5], [1.0, 0.5]], byKeep.LevelKeepFractions!);
        Assert.Equal(EncodingDefaults.SeedKeepRatios.Select(r => 1 - r), byKeep.SeedLevelFractions!);

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
