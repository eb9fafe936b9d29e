using PrunerCluster.Evolution.Tests.Support;

namespace PrunerCluster.Evolution.Tests.Search;

[Trait("Category", "Unit")]
public sealed class SearchStatesTests
{
    private static readonly Knapsack Knapsack = new(items: 16, seed: 3);

    private static Nsga2Settings Settings => new() { PopulationSize = 6, Seed = 21, Termination = new TerminationSpec { MaxEvaluations = 48 } };

    [Fact]
    public void Nsga2ThroughTheInterfaceAsksAndTellsExactlyAsDirectly()
    {
        var time = new ManualTimeProvider();
        var direct = Nsga2.Create(Knapsack.Problem, Settings, time);
        Driver.Run(direct, Knapsack.Evaluate, batch: 4);
        ISearchAlgorithm seam = Nsga2.Create(Knapsack.Problem, Settings, time);
        SearchDriver.Run(seam, Knapsack.Evaluate, batch: 4);

        Assert.Equal(Nsga2.AlgorithmName, seam.Algorithm);
        Assert.Equal(Driver.Describe(direct.ParetoFront), Driver.Describe(seam.ParetoFront));
        Assert.Equal(direct.SaveState().ToJson(), seam.SaveState().ToJson());
    }

    [Fact]
    public void AnNsga2StateKeepsItsFormatWithoutAnAlgorithmNameAndRestoresAsNsga2()
    {
        var engine = Nsga2.Create(Knapsack.Problem, Settings);
        foreach (var c in engine.Ask(4))
        {
            engine.Tell(c.Id, Knapsack.Evaluate(c.Genome));
        }

        var json = engine.SaveState().ToJson();
        Assert.DoesNotContain("\"algorithm\"", json, StringComparison.Ordinal);
        Assert.Equal(Nsga2.AlgorithmName, engine.SaveState() is ISearchState s ? s.Algorithm : null);

        var restored = Assert.IsType<Nsga2>(SearchStates.Restore(Knapsack.Problem, json));
        Assert.Equal(engine.Ask(5).Select(c => c.Genome.ContentHash), restored.Ask(5).Select(c => c.Genome.ContentHash));
    }

    [Fact]
    public void UnknownOrMismatchedStatesAreRefused()
    {
        var random = RandomSearch.Create(Knapsack.Problem, new RandomSearchSettings { Termination = new TerminationSpec { MaxEvaluations = 4 } });
        var json = random.SaveState().ToJson();

        var unknown = Assert.Throws<FormatException>(() => SearchStates.Restore(Knapsack.Problem, json.Replace("\"random\"", "\"cmaes\"", StringComparison.Ordinal)));
        Assert.Contains("cmaes", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => RuleBaselineState.FromJson(json));
        Assert.Throws<FormatException>(() => SearchStates.Restore(Knapsack.Problem, json.Replace("\"version\":1", "\"version\":9", StringComparison.Ordinal)));
        var other = new Knapsack(items: 17, seed: 3);
        Assert.ThrowsAny<ArgumentException>(() => SearchStates.Restore(other.Problem, json));
    }
}
