using PrunerCluster.Evolution.Tests.Support;

namespace PrunerCluster.Evolution.Tests.Search;

[Trait("Category", "Unit")]
public sealed class RandomSearchTests
{
    private static readonly GenomeLayout Layout = new([new SegmentSpec("conv", 6, IntGenes: 1, IntGeneMax: 3), new SegmentSpec("fc", 5, MinKeep: 2), new SegmentSpec("levels", 0, IntGenes: 2, IntGeneMax: 7, MinKeep: 0)]);

    private static readonly Problem Problem = new(Layout, [new ObjectiveSpec("kept", Direction.Maximize), new ObjectiveSpec("cost", Direction.Minimize)]);

    private static RandomSearchSettings Settings(ulong seed, int maxEvaluations = 40) => new()
    {
        Seed = seed,
        GenerationSize = 8,
        Termination = new TerminationSpec { MaxEvaluations = maxEvaluations },
    };

    /// <summary>More kept units: higher "kept" but higher cost; every fifth level sum is infeasible.</summary>
    private static Evaluation Evaluate(Genome genome)
    {
        var levels = genome.GetInt(0, 0) + genome.GetInt(2, 0) + genome.GetInt(2, 1);
        var kept = genome.TotalKept - (0.25 * levels);
        var cost = (genome.TotalKept * genome.TotalKept) + ((genome.GetInt(2, 0) - genome.GetInt(2, 1)) * 0.5);
        return new Evaluation([kept, cost], levels % 5 == 4 ? 1 : 0);
    }

    [Fact]
    public void TheSameSeedAsksTheSameCandidatesAndAnotherSeedOthers()
    {
        string Hashes(ulong seed) => string.Join(",", SearchDriver.Run(RandomSearch.Create(Problem, Settings(seed)), Evaluate, batch: 3).Select(c => c.Genome.ContentHash));

        Assert.Equal(Hashes(11), Hashes(11));
        Assert.NotEqual(Hashes(11), Hashes(12));
    }

    [Fact]
    public void CandidatesAreUniqueRepairedAndWithinTheEncodingsBoundsAndTheUnprunedGenomeComesFirst()
    {
        var asked = SearchDriver.Run(RandomSearch.Create(Problem, Settings(3)), Evaluate, batch: 5);

        Assert.Equal(40, asked.Count);
        Assert.Equal(Genome.Full(Layout), asked[0].Genome);
        Assert.Equal(asked.Count, asked.Select(c => c.Genome.ContentHash).Distinct(StringComparer.Ordinal).Count());
        Assert.All(asked, c =>
        {
            Assert.InRange(c.Genome.GetInt(0, 0), 0, 3);
            Assert.InRange(c.Genome.GetInt(2, 0), 0, 7);
            Assert.InRange(c.Genome.GetInt(2, 1), 0, 7);
            Assert.True(c.Genome.CountKept(1) >= 2, "fc keeps at least MinKeep units");
        });

        // Uniform over the range: both ends of a level gene and sparse as well as dense masks turn up.
        Assert.Contains(asked, c => c.Genome.GetInt(2, 0) == 0);
        Assert.Contains(asked, c => c.Genome.GetInt(2, 0) == 7);
        Assert.Contains(asked, c => c.Genome.CountKept(0) <= 2);
        Assert.Contains(asked, c => c.Genome.CountKept(0) >= 4);
    }

    [Fact]
    public void ItStopsAtTheEvaluationBudgetAndItsFrontIsTheNonDominatedFeasibleResults()
    {
        var search = RandomSearch.Create(Problem, Settings(5, maxEvaluations: 30));
        var results = new List<(long, Evaluation)>();
        Assert.Equal(20, search.Ask(20).Count);
        Assert.Equal(10, search.Ask(20).Count);
        foreach (var id in search.PendingIds.ToList())
        {
            if (id % 9 == 8)
            {
                search.TellFailure(id, "oom");
                continue;
            }

            var evaluation = new Evaluation([id % 7, (id * 13) % 11], id % 4 == 3 ? 0.5 : 0);
            results.Add((id, evaluation));
            search.Tell(id, evaluation);
        }

        Assert.True(search.IsTerminated);
        Assert.Empty(search.Ask(5));
        Assert.Equal(30, search.EvaluationCount);
        Assert.Equal(3, search.FailureCount);
        Assert.Equal(3, search.Generation);
        Assert.Equal(1, search.Progress);
        Assert.Equal(SearchDriver.NonDominatedIds(Problem, results), search.ParetoFront.Select(e => e.CandidateId));
    }

    [Fact]
    public void ARestoredSearchContinuesExactlyLikeTheUninterruptedOne()
    {
        var time = new ManualTimeProvider();
        var original = RandomSearch.Create(Problem, Settings(9, maxEvaluations: 60), time);
        var first = original.Ask(7);
        foreach (var c in first.Take(5))
        {
            original.Tell(c.Id, Evaluate(c.Genome));
        }

        time.Advance(TimeSpan.FromSeconds(3));
        var json = ((ISearchAlgorithm)original).SaveState().ToJson();
        Assert.Contains("\"algorithm\":\"random\"", json, StringComparison.Ordinal);
        var restored = SearchStates.Restore(Problem, json, time);
        Assert.IsType<RandomSearch>(restored);
        Assert.Equal(original.PendingIds, restored.PendingIds);
        Assert.Equal(original.ParetoFront.Select(e => e.CandidateId), restored.ParetoFront.Select(e => e.CandidateId));

        foreach (var search in new ISearchAlgorithm[] { original, restored })
        {
            foreach (var c in first.Skip(5))
            {
                search.Tell(c.Id, Evaluate(c.Genome));
            }
        }

        var rest = SearchDriver.Run(original, Evaluate, batch: 4).Select(c => (c.Id, c.Genome.ContentHash));
        var restRestored = SearchDriver.Run(restored, Evaluate, batch: 4).Select(c => (c.Id, c.Genome.ContentHash));
        Assert.Equal(rest, restRestored);
        Assert.Equal(Driver.Describe(original.ParetoFront), Driver.Describe(restored.ParetoFront));
        Assert.Equal(original.SaveState().ToJson(), ((RandomSearch)restored).SaveState().ToJson());
    }

    [Fact]
    public void ATinySearchSpaceIsExhaustedAndTerminates()
    {
        var tiny = new Problem(new GenomeLayout([new SegmentSpec("x", 2, MinKeep: 0)]), [new ObjectiveSpec("kept", Direction.Maximize)]);
        var search = RandomSearch.Create(tiny, new RandomSearchSettings { Seed = 1, Termination = new TerminationSpec { MaxEvaluations = 100 } });

        var asked = SearchDriver.Run(search, g => new Evaluation([g.TotalKept], 0), batch: 3);

        Assert.Equal(4, asked.Count);
        Assert.True(search.IsExhausted);
        Assert.True(search.IsTerminated);
        Assert.Equal(4, search.EvaluationCount);
    }

    [Fact]
    public void HypervolumeStagnationIsRefusedNamingTheSetting()
    {
        var settings = Settings(1) with { Termination = new TerminationSpec { HypervolumeStagnation = new(3, 1e-3) } };

        var error = Assert.ThrowsAny<ArgumentException>(() => RandomSearch.Create(Problem, settings));
        Assert.Equal(nameof(RandomSearchSettings.Termination), error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomSearch.Create(Problem, Settings(1) with { GenerationSize = 0 }));
    }
}
