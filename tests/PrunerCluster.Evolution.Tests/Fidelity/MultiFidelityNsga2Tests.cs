using PrunerCluster.Evolution.Tests.Support;

namespace PrunerCluster.Evolution.Tests.Fidelity;

[Trait("Category", "Unit")]
public sealed class MultiFidelityNsga2Tests
{
    private static readonly Knapsack Knapsack = new(24, 11);

    private static Nsga2Settings Settings(int maxEvaluations = 90) => new()
    {
        PopulationSize = 12,
        Seed = 5,
        Fidelity = new FidelityLadderSpec { Rungs = 3, Eta = 3 },
        Termination = new TerminationSpec { MaxEvaluations = maxEvaluations },
    };

    /// <summary>A higher rung measures the same genome better (as longer fine-tuning recovers more accuracy).</summary>
    private static Evaluation Evaluate(Candidate c)
    {
        var e = Knapsack.Evaluate(c.Genome);
        return new Evaluation([.. e.Objectives.Select(v => v * (1 + (0.1 * c.Rung)))], e.ConstraintViolation);
    }

    private static List<Candidate> Drive(Nsga2 engine, int workers, int? stopAfter = null)
    {
        var handed = new List<Candidate>();
        var inFlight = new Queue<Candidate>(engine.Ask(workers));
        handed.AddRange(inFlight);
        var told = 0;
        while (inFlight.Count > 0 && (stopAfter is null || told < stopAfter))
        {
            var c = inFlight.Dequeue();
            engine.Tell(c.Id, Evaluate(c));
            told++;
            foreach (var next in engine.Ask(workers - inFlight.Count))
            {
                inFlight.Enqueue(next);
                handed.Add(next);
            }
        }

        return handed;
    }

    [Fact]
    public void EveryNewGenomeStartsAtRungZeroAndPromotionsClimbOneRungAtATime()
    {
        var engine = Nsga2.Create(Knapsack.Problem, Settings());
        var handed = Drive(engine, workers: 3);
        Assert.Equal(90, engine.EvaluationCount);
        var byGenome = handed.GroupBy(c => c.Genome.ContentHash).ToList();
        Assert.All(byGenome, g => Assert.Equal(Enumerable.Range(0, g.Count()), g.OrderBy(c => c.Id).Select(c => c.Rung)));
        var perRung = engine.ResultsPerRung;
        Assert.Equal(3, perRung.Count);
        Assert.True(perRung[1] > 0 && perRung[2] > 0, $"rungs {string.Join(",", perRung)}");

        // A rung never promotes more than 1/eta of what it has seen.
        Assert.True(perRung[1] <= perRung[0] / 3 && perRung[2] <= perRung[1] / 3, $"rungs {string.Join(",", perRung)}");
    }

    [Fact]
    public void PromotionsGoOutBeforeNewOffspring()
    {
        var engine = Nsga2.Create(Knapsack.Problem, Settings());
        var first = engine.Ask(12);
        foreach (var c in first)
        {
            engine.Tell(c.Id, Evaluate(c));
        }

        Assert.Equal(4, engine.WaitingPromotions);
        var next = engine.Ask(6);
        Assert.Equal([1, 1, 1, 1, 0, 0], next.Select(c => c.Rung));
        Assert.All(next.Take(4), p => Assert.Contains(first, c => c.Genome.Equals(p.Genome)));
    }

    [Fact]
    public void TheFrontHoldsEachGenomeOnceAtItsHighestRungTold()
    {
        var engine = Nsga2.Create(Knapsack.Problem, Settings());
        var handed = Drive(engine, workers: 2);
        var highest = handed.Where(c => !engine.PendingIds.Contains(c.Id))
            .GroupBy(c => c.Genome.ContentHash)
            .ToDictionary(g => g.Key, g => g.Max(c => c.Rung), StringComparer.Ordinal);
        Assert.Equal(engine.ParetoFront.Count, engine.ParetoFront.Select(e => e.Genome.ContentHash).Distinct().Count());
        Assert.All(engine.ParetoFront, e => Assert.Equal(highest[e.Genome.ContentHash], e.Rung));
        Assert.All(engine.Population, e => Assert.Equal(highest[e.Genome.ContentHash], e.Rung));
        Assert.Contains(engine.ParetoFront, e => e.Rung == 2);
    }

    [Fact]
    public void RestoreWithWaitingPromotionsContinuesLikeTheUninterruptedRun()
    {
        var straight = Nsga2.Create(Knapsack.Problem, Settings());
        var straightHanded = Drive(straight, workers: 1);

        var first = Nsga2.Create(Knapsack.Problem, Settings());
        var handed = Drive(first, workers: 1, stopAfter: 12);
        Assert.True(first.WaitingPromotions > 0 || first.PendingIds.Any(id => handed.Single(c => c.Id == id).Rung > 0));
        var restored = Nsga2.Restore(Knapsack.Problem, AlgorithmState.FromJson(first.SaveState().ToJson()));
        var pending = handed.Where(c => restored.PendingIds.Contains(c.Id)).ToList();
        foreach (var c in pending)
        {
            restored.Tell(c.Id, Evaluate(c));
        }

        Drive(restored, workers: 1);
        Assert.Equal(straight.SaveState() with { ElapsedTicks = 0 }, restored.SaveState() with { ElapsedTicks = 0 }, new StateJsonComparer());
        Assert.Equal(90, straightHanded.Count);
    }

    [Fact]
    public void ALadderNeedsTheSteadyStateDriver()
    {
        var settings = Settings() with { Mode = DriverMode.Generational };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Nsga2.Create(Knapsack.Problem, settings));
        Assert.Equal("Fidelity", error.ParamName);
        Assert.Contains("steady-state", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(3, 1)]
    public void BadLaddersAreRefusedNamingTheSetting(int rungs, int eta)
    {
        var settings = Settings() with { Fidelity = new FidelityLadderSpec { Rungs = rungs, Eta = eta } };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Nsga2.Create(Knapsack.Problem, settings));
        Assert.Contains(rungs < 1 ? "Rungs" : "Eta", error.Message, StringComparison.Ordinal);
    }

    private sealed class StateJsonComparer : IEqualityComparer<AlgorithmState>
    {
        public bool Equals(AlgorithmState? x, AlgorithmState? y) => string.Equals(x?.ToJson(), y?.ToJson(), StringComparison.Ordinal);

        public int GetHashCode(AlgorithmState obj) => 0;
    }
}
