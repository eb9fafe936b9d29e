using PrunerCluster.Evolution.Tests.Support;

namespace PrunerCluster.Evolution.Tests.Algorithm;

[Trait("Category", "Unit")]
public sealed class DeterminismTests
{
    private static readonly Knapsack Knapsack = new(30, 11);

    private static Nsga2Settings Settings(DriverMode mode) => new()
    {
        PopulationSize = 24,
        Seed = 17,
        Mode = mode,
        InitialDensities = [0.2, 0.4],
        Crossover = CrossoverKind.TwoPoint,
        Termination = new TerminationSpec { MaxGenerations = 25, HypervolumeStagnation = new(50, 0) },
    };

    [Theory]
    [InlineData(DriverMode.Generational)]
    [InlineData(DriverMode.SteadyState)]
    public void SameSeedGivesIdenticalArchivesAndStates(DriverMode mode)
    {
        var a = Nsga2.Create(Knapsack.Problem, Settings(mode), new ManualTimeProvider());
        var b = Nsga2.Create(Knapsack.Problem, Settings(mode), new ManualTimeProvider());
        Driver.Run(a, Knapsack.Evaluate, 5);
        Driver.Run(b, Knapsack.Evaluate, 5);
        Assert.Equal(Driver.Describe(a.ParetoFront), Driver.Describe(b.ParetoFront));
        Assert.Equal(a.SaveState().ToJson(), b.SaveState().ToJson());
        Assert.NotEmpty(a.ParetoFront);

        var other = Nsga2.Create(Knapsack.Problem, Settings(mode) with { Seed = 18 }, new ManualTimeProvider());
        Driver.Run(other, Knapsack.Evaluate, 5);
        Assert.NotEqual(a.SaveState().ToJson(), other.SaveState().ToJson());
    }

    [Theory]
    [InlineData(DriverMode.Generational, 3)]
    [InlineData(DriverMode.Generational, 40)]
    [InlineData(DriverMode.SteadyState, 3)]
    [InlineData(DriverMode.SteadyState, 57)]
    public void SaveRestoreContinueEqualsUninterruptedRun(DriverMode mode, int saveAtStep)
    {
        var time = new ManualTimeProvider();
        var uninterrupted = Nsga2.Create(Knapsack.Problem, Settings(mode), time);
        Driver.Run(uninterrupted, Knapsack.Evaluate, 7);

        var engine = Nsga2.Create(Knapsack.Problem, Settings(mode), time);
        Driver.Run(engine, Knapsack.Evaluate, 7, maxSteps: saveAtStep);
        var asked = engine.Ask(7);
        Assert.NotEmpty(engine.PendingIds);
        var json = engine.SaveState().ToJson();
        Assert.Equal(json, AlgorithmState.FromJson(json).ToJson());

        var restored = Nsga2.Restore(Knapsack.Problem, AlgorithmState.FromJson(json), time);
        Assert.Equal(engine.PendingIds, restored.PendingIds);
        foreach (var c in asked)
        {
            restored.Tell(c.Id, Knapsack.Evaluate(c.Genome));
        }

        Driver.Run(restored, Knapsack.Evaluate, 7);
        Assert.Equal(Driver.Describe(uninterrupted.ParetoFront), Driver.Describe(restored.ParetoFront));
        Assert.Equal(uninterrupted.SaveState().ToJson(), restored.SaveState().ToJson());
        Assert.Equal(uninterrupted.HypervolumeHistory, restored.HypervolumeHistory);
    }

    [Fact]
    public void GenerationalResultDoesNotDependOnTellOrder()
    {
        var inOrder = Nsga2.Create(Knapsack.Problem, Settings(DriverMode.Generational), new ManualTimeProvider());
        var shuffled = Nsga2.Create(Knapsack.Problem, Settings(DriverMode.Generational), new ManualTimeProvider());
        Driver.Run(inOrder, Knapsack.Evaluate, int.MaxValue);
        Driver.Run(shuffled, Knapsack.Evaluate, int.MaxValue, shuffle: new RandomSource(5));
        Assert.Equal(25, inOrder.Generation);
        Assert.Equal(Driver.Describe(inOrder.ParetoFront), Driver.Describe(shuffled.ParetoFront));
        Assert.Equal(inOrder.SaveState().ToJson(), shuffled.SaveState().ToJson());
    }

    [Fact]
    public void SteadyStateWithShuffledTellsStaysValid()
    {
        var knapsack = new Knapsack(35, 1001);
        var exactHv = Hypervolume.Compute2D([.. knapsack.ExactFront().Select(Knapsack.Minimized)], [0, 0]);
        var engine = Nsga2.Create(knapsack.Problem, KnapsackConvergenceTests.Settings(9, DriverMode.SteadyState));
        var random = new RandomSource(3);
        var inFlight = new List<Candidate>();
        var seen = new HashSet<string>();
        while (!engine.IsTerminated || inFlight.Count > 0)
        {
            foreach (var c in engine.Ask(random.NextInt(1, 12)))
            {
                Assert.True(seen.Add(c.Genome.ContentHash), "a genome was offered twice");
                inFlight.Add(c);
            }

            random.Shuffle(inFlight);
            var tell = Math.Min(inFlight.Count, random.NextInt(1, 12));
            foreach (var c in inFlight.Take(tell))
            {
                engine.Tell(c.Id, knapsack.Evaluate(c.Genome));
            }

            inFlight.RemoveRange(0, tell);
        }

        Assert.Equal(15_000, engine.EvaluationCount);
        Assert.Empty(engine.PendingIds);
        var front = engine.ParetoFront;
        var points = front.Select(e => Knapsack.Minimized(e.Evaluation.Objectives)).ToList();
        Assert.All(NonDominatedSorting.Rank(points), r => Assert.Equal(0, r));
        Assert.All(front, e => Assert.True(e.Evaluation.IsFeasible));
        Assert.True(engine.Hypervolume(knapsack.ReferencePoint) / exactHv >= 0.97);
    }
}
