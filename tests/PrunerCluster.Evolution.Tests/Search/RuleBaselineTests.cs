using PrunerCluster.Evolution.Tests.Support;

namespace PrunerCluster.Evolution.Tests.Search;

[Trait("Category", "Unit")]
public sealed class RuleBaselineTests
{
    private static readonly GenomeLayout Layout = new([new SegmentSpec("a", 0, IntGenes: 1, IntGeneMax: 3, MinKeep: 0), new SegmentSpec("b", 0, IntGenes: 1, IntGeneMax: 3, MinKeep: 0)]);

    private static readonly Problem Problem = new(Layout, [new ObjectiveSpec("accuracy", Direction.Maximize), new ObjectiveSpec("macs", Direction.Minimize)]);

    private static readonly Dictionary<string, double[]> Importance = new(StringComparer.Ordinal)
    {
        ["a"] = [4.0, 3.0, 2.0, 1.0],
        ["b"] = [0.4, 0.3, 0.2, 0.1],
    };

    private static readonly double[][] KeepFractions = [[1.0, 0.75, 0.5, 0.25], [1.0, 0.75, 0.5, 0.25]];

    /// <summary>Layer "a" matters more for accuracy; both cost the same.</summary>
    private static Evaluation Evaluate(Genome g) =>
        new([10 - (3 * g.GetInt(0, 0)) - g.GetInt(1, 0), 8 - g.GetInt(0, 0) - g.GetInt(1, 0)], 0);

    [Fact]
    public void ItProposesTheUniformLadderSlimmingAndLampMasksOnceEachThenStops()
    {
        double[] ratios = [0.625, 0.5];
        var settings = RuleBaselineSettings.ForRules(Layout, Importance, ratios, KeepFractions);
        var expected = new[] { Genome.Full(Layout) }
            .Concat(ratios.SelectMany(r => new[]
            {
                LevelInitialization.Create(Layout, 1 - r, KeepFractions),
                RuleInitialization.Create(Layout, Importance, PruningRule.GlobalThreshold, r, KeepFractions),
                RuleInitialization.Create(Layout, Importance, PruningRule.Lamp, r, KeepFractions),
            }))
            .DistinctBy(g => g.ContentHash)
            .ToList();
        var baseline = RuleBaseline.Create(Problem, settings);

        var asked = SearchDriver.Run(baseline, Evaluate, batch: 2);

        Assert.Equal(expected, asked.Select(c => c.Genome));
        Assert.Equal(expected, baseline.Genomes);
        Assert.True(baseline.IsTerminated);
        Assert.Empty(baseline.Ask(10));
        Assert.Equal(1, baseline.Generation);
        Assert.Equal(1, baseline.Progress);
        var results = asked.Select(c => (c.Id, Evaluate(c.Genome))).ToList();
        Assert.Equal(SearchDriver.NonDominatedIds(Problem, results), baseline.ParetoFront.Select(e => e.CandidateId));
    }

    [Fact]
    public void FromSeedsProposesWhatNsga2SeedsItsFirstPopulationWith()
    {
        var settings = new Nsga2Settings
        {
            PopulationSize = 12,
            Seed = 4,
            SeedLevelFractions = [0.25, 0.5],
            LevelKeepFractions = KeepFractions,
            SeedGenomes = [.. new[] { PruningRule.GlobalThreshold, PruningRule.Lamp }.Select(r => RuleInitialization.Create(Layout, Importance, r, 0.5, KeepFractions).ToCanonicalString())],
            Termination = new TerminationSpec { MaxEvaluations = 40 },
        };
        var baseline = RuleBaseline.Create(Problem, RuleBaselineSettings.FromSeeds(Problem, settings));
        var nsga2 = Nsga2.Create(Problem, settings);

        var seeds = SearchDriver.Run(baseline, Evaluate, batch: 3).Select(c => c.Genome).ToList();

        Assert.NotEmpty(seeds);
        Assert.Equal(seeds, nsga2.Ask(seeds.Count).Select(c => c.Genome));
        Assert.Equal(40, RuleBaselineSettings.FromSeeds(Problem, settings).Termination.MaxEvaluations);
    }

    [Fact]
    public void AnEvaluationBudgetBelowTheMaskCountStopsItEarly()
    {
        var settings = RuleBaselineSettings.ForRules(Layout, Importance, [0.625, 0.5], KeepFractions) with { Termination = new TerminationSpec { MaxEvaluations = 3 } };
        var baseline = RuleBaseline.Create(Problem, settings);

        Assert.Equal(3, baseline.Ask(10).Count);
        Assert.Empty(baseline.Ask(10));
        foreach (var id in baseline.PendingIds.ToList())
        {
            baseline.TellFailure(id, "crashed");
        }

        Assert.True(baseline.IsTerminated);
        Assert.Equal(3, baseline.FailureCount);
        Assert.Empty(baseline.ParetoFront);
    }

    [Fact]
    public void ARestoredBaselineProposesTheRemainingMasks()
    {
        var settings = RuleBaselineSettings.ForRules(Layout, Importance, [0.625, 0.5, 0.25], KeepFractions);
        var original = RuleBaseline.Create(Problem, settings);
        var first = original.Ask(3);
        original.Tell(first[0].Id, Evaluate(first[0].Genome));

        var json = original.SaveState().ToJson();
        Assert.Contains("\"algorithm\":\"rules\"", json, StringComparison.Ordinal);
        var restored = SearchStates.Restore(Problem, json);

        Assert.IsType<RuleBaseline>(restored);
        Assert.Equal(original.PendingIds, restored.PendingIds);
        foreach (var search in new ISearchAlgorithm[] { original, restored })
        {
            foreach (var c in first.Skip(1))
            {
                search.Tell(c.Id, Evaluate(c.Genome));
            }
        }

        Assert.Equal(
            SearchDriver.Run(original, Evaluate, batch: 2).Select(c => (c.Id, c.Genome.ContentHash)),
            SearchDriver.Run(restored, Evaluate, batch: 2).Select(c => (c.Id, c.Genome.ContentHash)));
        Assert.Equal(Driver.Describe(original.ParetoFront), Driver.Describe(restored.ParetoFront));
    }

    [Fact]
    public void AMaskThatDoesNotFitTheLayoutIsRefusedNamingTheSetting()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => RuleBaseline.Create(Problem, new RuleBaselineSettings { Genomes = ["not a genome"] }));
        Assert.Equal(nameof(RuleBaselineSettings.Genomes), error.ParamName);
        Assert.Contains("not a genome", error.Message, StringComparison.Ordinal);
    }
}
