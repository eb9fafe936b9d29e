using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Coordination;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Tests;

[Trait("Category", "Unit")]
public sealed class GenomeEncodingTests
{
    private static readonly PrunableGroup[] Groups =
    [
        new("conv1", 32, "conv", ["conv1"], ["conv2"]),
        new("conv2", 64, "conv", ["conv2"], ["fc"]),
    ];

    private static readonly Dictionary<string, double[]> Importance = new(StringComparer.Ordinal)
    {
        ["conv1"] = [.. Enumerable.Range(0, 32).Select(i => (double)i)],
        ["conv2"] = [.. Enumerable.Range(0, 64).Select(i => (double)(64 - i))],
    };

    [Fact]
    public void KeepRatioIsTheDefaultForStructuredPruningAndBitsForSparsity()
    {
        Assert.Equal(GenomeEncodings.KeepRatio, GenomeMaskMapper.EffectiveEncoding(new ExperimentSpec(), PruningMode.Structured));
        Assert.Equal(GenomeEncodings.ChannelBits, GenomeMaskMapper.EffectiveEncoding(new ExperimentSpec(), PruningMode.Hybrid));
        var bits = new ExperimentSpec { Search = new SearchSettings { Encoding = "CHANNELBITS" } };
        Assert.Equal(GenomeEncodings.ChannelBits, GenomeMaskMapper.EffectiveEncoding(bits, PruningMode.Structured));
    }

    [Fact]
    public void KeepRatioGenomesMapToTheMostImportantChannelsInMultiplesOfEight()
    {
        var settings = new EvaluationSettings { RoundChannelsTo = 8 };
        var segments = GenomeMaskMapper.Segments(Groups, GenomeEncodings.KeepRatio, 16, settings);

        // 16 levels rounded to 8 give conv1 (32) the widths 32/24/16/8 and conv2 (64) 64/56/.../8, then 4 below one
        // block (the default narrowest width): one gene value each.
        Assert.Equal([(0, 1, 4), (0, 1, 8)], segments.Select(s => (s.Bits, s.IntGenes, s.IntGeneMax)));
        var layout = Layout(segments);
        var prepared = Prepared(GenomeEncodings.KeepRatio, settings);
        Assert.Equal([32, 24, 16, 8, 4], prepared.LevelCounts!["conv1"]);

        // conv1 at gene 2 keeps half (16), its top units 16..31; conv2 at gene 6 keeps 16 of 64, its first units.
        var genome = Genome.Create(layout, [[], []], [[2], [6]]);
        var mask = GenomeMaskMapper.ToPruneMask(genome, prepared, settings);
        Assert.Equal(Enumerable.Range(16, 16), Kept(mask.Keep["conv1"]));
        Assert.Equal(Enumerable.Range(0, 16), Kept(mask.Keep["conv2"]));
        Assert.Equal(64, GenomeMaskMapper.ToPruneMask(Genome.Full(layout), prepared, settings).Keep["conv2"].Count(k => k));
    }

    [Theory]
    [InlineData(16, 16)]
    [InlineData(16, 8)]
    [InlineData(16, 0)]
    [InlineData(7, 16)]
    public void EveryLevelGenomeGivesADifferentModel(int levels, int roundTo)
    {
        var settings = new EvaluationSettings { RoundChannelsTo = roundTo };
        var segments = GenomeMaskMapper.Segments(Groups, GenomeEncodings.KeepRatio, levels, settings);
        var layout = Layout(segments);
        var prepared = Prepared(GenomeEncodings.KeepRatio, settings, levels);
        var widths = new HashSet<(int, int)>();
        for (var a = 0; a <= segments[0].IntGeneMax; a++)
        {
            for (var b = 0; b <= segments[1].IntGeneMax; b++)
            {
                var mask = GenomeMaskMapper.ToPruneMask(Genome.Create(layout, [[], []], [[a], [b]]), prepared, settings);
                Assert.True(widths.Add((mask.KeptCount("conv1"), mask.KeptCount("conv2"))), $"genes ({a}, {b}) repeat a model");
            }
        }

        // Every width the levels reach (at least the narrowest width), plus the sub-block tail: merging duplicates loses none.
        int Reachable(int units) => Enumerable.Range(0, levels).Select(l => KeepLevelMapping.KeptCount(units, l, levels, roundTo))
            .Where(w => w >= KeepLevelMapping.DefaultMinWidth)
            .Concat(roundTo > 1 ? Enumerable.Range(0, 8).Select(k => roundTo >> k).Where(w => w >= KeepLevelMapping.DefaultMinWidth && w < roundTo) : [])
            .Distinct().Count();
        Assert.Equal(Reachable(32) * Reachable(64), widths.Count);
    }

    [Fact]
    public void SubBlockWidthsSurviveEvaluationRoundingAndMinChannelsStopsThem()
    {
        var settings = new EvaluationSettings { RoundChannelsTo = 16 };
        var prepared = Prepared(GenomeEncodings.KeepRatio, settings);
        Assert.Equal([32, 16, 8, 4], prepared.LevelCounts!["conv1"]);
        var layout = Layout(GenomeMaskMapper.Segments(Groups, GenomeEncodings.KeepRatio, 16, settings));
        var mask = GenomeMaskMapper.ToPruneMask(Genome.Create(layout, [[], []], [[3], [4]]), prepared, settings);
        Assert.Equal((4, 8), (mask.KeptCount("conv1"), mask.KeptCount("conv2")));
        foreach (var (name, units) in new[] { ("conv1", 32), ("conv2", 64) })
        {
            Assert.All(prepared.LevelCounts[name], w => Assert.True(ChannelRounding.IsFriendly(w, units, 16), $"{name}: {w} would be rounded"));
        }

        var blocksOnly = GenomeMaskMapper.LevelCounts(Groups, 16, settings, minChannels: 16);
        Assert.Equal([32, 16], blocksOnly["conv1"]);
        Assert.Equal(16, blocksOnly["conv2"][^1]);
        var spec = new ExperimentSpec { Search = new SearchSettings { MinChannels = 8 } };
        Assert.Equal(8, GenomeMaskMapper.MinChannels(spec));
        Assert.Equal(KeepLevelMapping.DefaultMinWidth, GenomeMaskMapper.MinChannels(new ExperimentSpec()));
    }

    [Fact]
    public void ExperimentsPreparedBeforeDistinctWidthsKeepReadingTheirGeneAsTheLevel()
    {
        var settings = new EvaluationSettings { RoundChannelsTo = 8 };
        var layout = new GenomeLayout([new SegmentSpec("conv1", 0, 1, 15, 0), new SegmentSpec("conv2", 0, 1, 15, 0)]);
        var legacy = Prepared(GenomeEncodings.KeepRatio, settings) with { LevelCounts = null };
        var mask = GenomeMaskMapper.ToPruneMask(Genome.Create(layout, [[], []], [[8], [12]]), legacy, settings);
        Assert.Equal((16, 16), (mask.KeptCount("conv1"), mask.KeptCount("conv2")));
        var current = Prepared(GenomeEncodings.KeepRatio, settings);
        Assert.Throws<InvalidMaskException>(() => GenomeMaskMapper.ToPruneMask(Genome.Create(layout, [[], []], [[8], [12]]), current, settings));
    }

    [Fact]
    public void HybridGenomesPreferMarkedChannels()
    {
        var settings = new EvaluationSettings { RoundChannelsTo = 8 };
        var segments = GenomeMaskMapper.Segments(Groups, GenomeEncodings.Hybrid, 16, settings);
        var layout = Layout(segments);
        var marked = new bool[32];
        for (var i = 0; i < 8; i++)
        {
            marked[i] = true;
        }

        var genome = Genome.Create(layout, [marked, new bool[64]], [[3], [0]]);
        var mask = GenomeMaskMapper.ToPruneMask(genome, Prepared(GenomeEncodings.Hybrid, settings), settings);
        Assert.Equal(Enumerable.Range(0, 8), Kept(mask.Keep["conv1"]));
        Assert.Equal(64, mask.Keep["conv2"].Count(k => k));
    }

    [Fact]
    public void LevelEncodingsRejectSparsityModes()
    {
        var settings = new EvaluationSettings { Mode = PruningMode.Hybrid };
        Assert.Throws<ArgumentException>(() => GenomeMaskMapper.Segments(Groups, GenomeEncodings.KeepRatio, 16, settings));
        var bits = GenomeMaskMapper.Segments(Groups, GenomeEncodings.ChannelBits, 16, settings);
        Assert.All(bits, s => Assert.Equal(1, s.IntGenes));
    }

    [Fact]
    public void FinalRecoveryTrainsLongerOnTheTestSetAndSpreadsItsMembersAlongTheFront()
    {
        var search = new EvaluationSettings { FineTuneSteps = 150, LearningRate = 5e-4, ValidationSamples = 2000 };
        var recovery = new FinalRecoverySettings { FineTuneSteps = 900, MaxMembers = 2 };
        var settings = FinalRecoveryPlan.Settings(search, recovery);
        Assert.Equal((900, 5e-4, true, int.MaxValue), (settings.FineTuneSteps, settings.LearningRate, settings.UseTestSet, settings.ValidationSamples));
        Assert.Equal(150, FinalRecoveryPlan.Settings(search, recovery with { Enabled = false }).FineTuneSteps);

        // Continuing from 300 steps of a ladder's top rung: 900 steps on top of those.
        Assert.Equal(1200, FinalRecoveryPlan.Settings(search, recovery, warmStartSteps: 300).FineTuneSteps);

        ParetoEntry Entry(long id, double accuracy) => new()
        {
            CandidateId = id, MaskText = "m", MaskHash = "h", IndividualKey = "k",
            Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = accuracy, [MetricNames.AccuracyDrop] = (0.91 - accuracy) * 100 },
        };
        var front = new[] { Entry(1, 0.80), Entry(2, 0.90), Entry(3, 0.85), Entry(4, 0.88), Entry(5, 0.87) };
        Assert.Equal([2L, 1L], FinalRecoverySelection.Members(front, recovery).Select(e => e.CandidateId));
        Assert.Equal([2L, 5L, 1L], FinalRecoverySelection.Members(front, recovery with { MaxMembers = 3 }).Select(e => e.CandidateId));
        Assert.Equal([2L], FinalRecoverySelection.Members(front, recovery with { MaxMembers = 1 }).Select(e => e.CandidateId));
        Assert.Equal(5, FinalRecoverySelection.Members(front, recovery with { MaxMembers = 0 }).Count);
        Assert.Equal([2L, 4L, 5L], FinalRecoverySelection.Members(front, recovery with { MaxMembers = 0, MaxDropPoints = 4.0 }).Select(e => e.CandidateId));
        Assert.Equal([2L, 5L], FinalRecoverySelection.Members(front, recovery with { MaxDropPoints = 4.0 }).Select(e => e.CandidateId));
        Assert.Empty(FinalRecoverySelection.Members(front, recovery with { Enabled = false }));
    }

    [Fact]
    public void FinalRecoverySpreadsItsMembersOverLogMacsSoACrowdedEndDoesNotTakeThemAll()
    {
        ParetoEntry Entry(long id, double accuracy, double macs) => new()
        {
            CandidateId = id, MaskText = "m", MaskHash = "h", IndividualKey = "k",
            Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = accuracy, [MetricNames.AccuracyDrop] = (0.914 - accuracy) * 100, [MetricNames.Macs] = macs },
        };

        // The main job's front of 3 December (MACs in millions): crowded at the mild end.
        var front = new[]
        {
            Entry(1, 0.9145, 18.96e6), Entry(2, 0.9125, 17.38e6), Entry(3, 0.9075, 13.93e6), Entry(4, 0.9065, 12.53e6), Entry(5, 0.9040, 10.27e6),
            Entry(6, 0.9030, 9.04e6), Entry(7, 0.9015, 7.55e6), Entry(8, 0.8955, 5.61e6), Entry(9, 0.8910, 4.18e6), Entry(10, 0.8765, 3.08e6),
        };
        var recovery = new FinalRecoverySettings { MaxMembers = 4, MaxDropPoints = 3.0 };
        Assert.Equal([1L, 4L, 7L, 9L], FinalRecoverySelection.Members(front, recovery).Select(e => e.CandidateId));
        Assert.Equal([1L, 9L], FinalRecoverySelection.Members(front, recovery with { MaxMembers = 2 }).Select(e => e.CandidateId));
        Assert.Equal(9, FinalRecoverySelection.Members(front, recovery with { MaxMembers = 0 }).Count);
    }

    [Fact]
    public void FinalRecoveryLeavesOutMembersThatSaveAlmostNoneOfTheUnprunedMacs()
    {
        ParetoEntry Entry(long id, double accuracy, double macs) => new()
        {
            CandidateId = id, MaskText = "m", MaskHash = "h" + id, IndividualKey = "k",
            Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = accuracy, [MetricNames.AccuracyDrop] = (0.914 - accuracy) * 100, [MetricNames.Macs] = macs },
        };

        // The main job's front of 7 December (MACs in millions, unpruned 22.20): #7 and #8 save 2.3 % and 0.1 %.
        var front = new[]
        {
            Entry(1, 0.8860, 2.80e6), Entry(2, 0.8870, 2.82e6), Entry(3, 0.8955, 5.61e6), Entry(4, 0.8985, 7.49e6),
            Entry(5, 0.9000, 9.52e6), Entry(6, 0.9050, 16.42e6), Entry(7, 0.9180, 21.69e6), Entry(8, 0.9180, 22.18e6),
        };
        var recovery = new FinalRecoverySettings { MaxMembers = 4, MaxDropPoints = 3.0 };
        Assert.Contains(8L, FinalRecoverySelection.Members(front, recovery).Select(e => e.CandidateId));
        var chosen = FinalRecoverySelection.Members(front, recovery, unprunedMacs: 22.20e6).Select(e => e.CandidateId).ToList();
        Assert.Equal([6L, 5L, 3L, 1L], chosen);

        // Without a MACs figure for the unpruned model nothing is left out on that account.
        Assert.Equal(8, FinalRecoverySelection.Members(front, recovery with { MaxMembers = 0 }, unprunedMacs: null).Count);
        Assert.Equal(6, FinalRecoverySelection.Members(front, recovery with { MaxMembers = 0 }, unprunedMacs: 22.20e6).Count);
    }

    [Fact]
    public void ReMeasuredMembersThatAreDominatedLeaveTheFront()
    {
        ObjectiveDefinition[] objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.LatencyMs, ObjectiveDirection.Minimize)];
        IReadOnlyDictionary<string, double> Row(double accuracy, double latency) => new Dictionary<string, double> { [MetricNames.Accuracy] = accuracy, [MetricNames.LatencyMs] = latency };
        var rows = new[] { Row(0.9, 20), Row(0.9, 25), Row(0.8, 10), Row(0.8, 10), new Dictionary<string, double> { [MetricNames.Accuracy] = 1.0 } };
        Assert.Equal([true, false, true, true, false], FinalRecoverySelection.NonDominated(objectives, rows));
    }

    private static PreparedExperiment Prepared(string encoding, EvaluationSettings settings, int levels = 16) => new()
    {
        Segments = [],
        CheckpointHash = "c",
        SettingsHash = "s",
        SegmentImportance = Importance,
        Encoding = encoding,
        KeepLevels = levels,
        LevelCounts = GenomeMaskMapper.LevelCounts(Groups, levels, settings),
    };

    private static GenomeLayout Layout(IEnumerable<GenomeSegment> segments) =>
        new([.. segments.Select(s => new SegmentSpec(s.Name, s.Bits, s.IntGenes, s.IntGeneMax, s.MinKeep))]);

    private static IEnumerable<int> Kept(bool[] keep) => Enumerable.Range(0, keep.Length).Where(i => keep[i]);
}
