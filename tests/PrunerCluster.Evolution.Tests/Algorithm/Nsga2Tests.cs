using PrunerCluster.Evolution.Tests.Support;

namespace PrunerCluster.Evolution.Tests.Algorithm;

[Trait("Category", "Unit")]
public sealed class Nsga2Tests
{
    private static readonly Knapsack Knapsack = new(20, 5);

    [Theory]
    [InlineData("PopulationSize")]
    [InlineData("CrossoverProbability")]
    [InlineData("MutationRate")]
    [InlineData("InitialDensities")]
    [InlineData("MaxEvaluations")]
    public void BadSettingsThrowNamingTheParameter(string parameter)
    {
        var settings = parameter switch
        {
            "PopulationSize" => new Nsga2Settings { PopulationSize = 1 },
            "CrossoverProbability" => new Nsga2Settings { CrossoverProbability = 1.01 },
            "MutationRate" => new Nsga2Settings { MutationRate = -0.5 },
            "InitialDensities" => new Nsga2Settings { InitialDensities = [0.5, 2] },
            _ => new Nsga2Settings { Termination = new TerminationSpec { MaxEvaluations = 0 } },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Nsga2.Create(Knapsack.Problem, settings));
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(parameter, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StagnationReferencePointMustMatchObjectiveCount()
    {
        var settings = new Nsga2Settings { Termination = new TerminationSpec { HypervolumeStagnation = new(3, 0, [1, 2, 3]) } };
        var error = Assert.Throws<ArgumentException>(() => Nsga2.Create(Knapsack.Problem, settings));
        Assert.Contains("ReferencePoint", error.ParamName, StringComparison.Ordinal);
    }

    [Fact]
    public void TellRejectsMismatchedObjectiveCountsNaNAndUnknownIds()
    {
        var engine = Nsga2.Create(Knapsack.Problem, new Nsga2Settings());
        var c = engine.Ask(1).Single();
        Assert.Equal("evaluation", Assert.Throws<ArgumentException>(() => engine.Tell(c.Id, new Evaluation([1.0, 2, 3], 0))).ParamName);
        var nan = Assert.Throws<ArgumentException>(() => engine.Tell(c.Id, new Evaluation([1.0, double.NaN], 0)));
        Assert.Contains("profit2", nan.Message, StringComparison.Ordinal);
        Assert.Equal("candidateId", Assert.Throws<ArgumentException>(() => engine.Tell(12345, new Evaluation([1.0, 2], 0))).ParamName);
        Assert.Equal([c.Id], engine.PendingIds);
        engine.Tell(c.Id, new Evaluation([1.0, 2], 0));
        Assert.Throws<ArgumentException>(() => engine.Tell(c.Id, new Evaluation([1.0, 2], 0)));
    }

    [Fact]
    public void GenerationalAskStopsAtTheBarrier()
    {
        var engine = Nsga2.Create(Knapsack.Problem, new Nsga2Settings { PopulationSize = 10, Mode = DriverMode.Generational });
        var first = engine.Ask(6);
        var second = engine.Ask(6);
        Assert.Equal(6, first.Count);
        Assert.Equal(4, second.Count);
        Assert.Empty(engine.Ask(5));
        foreach (var c in first.Concat(second))
        {
            engine.Tell(c.Id, Knapsack.Evaluate(c.Genome));
        }

        Assert.Equal(1, engine.Generation);
        Assert.Equal(10, engine.Ask(100).Count);
        Assert.All(engine.Ask(1), _ => Assert.Fail("barrier"));
    }

    [Fact]
    public void SteadyStateAsksWheneverAWorkerIsFreeAndRespectsTheEvaluationBudget()
    {
        var engine = Nsga2.Create(Knapsack.Problem, new Nsga2Settings { PopulationSize = 10, Termination = new TerminationSpec { MaxEvaluations = 30 } });
        var asked = engine.Ask(25);
        Assert.Equal(25, asked.Count);
        Assert.Equal(5, engine.Ask(100).Count);
        Assert.Empty(engine.Ask(1));
        foreach (var id in engine.PendingIds.ToList())
        {
            engine.Tell(id, new Evaluation([1, 1], 0));
        }

        Assert.True(engine.IsTerminated);
        Assert.Equal(1, engine.Progress);
        Assert.Equal(3, engine.Generation);
    }

    [Fact]
    public void FailuresAreCountedNeverArchivedAndNotOfferedAgain()
    {
        var events = new RecordingListener();
        var engine = Nsga2.Create(Knapsack.Problem, new Nsga2Settings { PopulationSize = 6, Mode = DriverMode.Generational }, listener: events);
        var hashes = new HashSet<string>();
        for (var g = 0; g < 5; g++)
        {
            foreach (var c in engine.Ask(100))
            {
                Assert.True(hashes.Add(c.Genome.ContentHash));
                if (c.Id % 3 == 0)
                {
                    engine.TellFailure(c.Id, "out of memory");
                }
                else
                {
                    engine.Tell(c.Id, Knapsack.Evaluate(c.Genome));
                }
            }
        }

        Assert.Equal(5, engine.Generation);
        Assert.Equal(30, engine.EvaluationCount);
        Assert.Equal(10, engine.FailureCount);
        Assert.All(engine.ParetoFront, e => Assert.NotEqual(0, e.CandidateId % 3));
        Assert.All(engine.Population, e => Assert.NotEqual(0, e.CandidateId % 3));
        Assert.Equal(30, events.Evaluated.Count);
        Assert.Equal(10, events.Evaluated.Count(e => e.FailureReason == "out of memory"));
        Assert.Equal([1, 2, 3, 4, 5], events.Generations.Select(e => e.Generation));
    }

    [Fact]
    public void AllFailuresStillLetTheRunContinue()
    {
        var engine = Nsga2.Create(Knapsack.Problem, new Nsga2Settings { PopulationSize = 4, Mode = DriverMode.Generational });
        for (var g = 0; g < 3; g++)
        {
            foreach (var c in engine.Ask(100))
            {
                engine.TellFailure(c.Id, "boom");
            }
        }

        Assert.Equal(3, engine.Generation);
        Assert.Empty(engine.ParetoFront);
        Assert.Equal(4, engine.Ask(100).Count);
    }

    [Fact]
    public void FirstPopulationHoldsFullGenomeAndMagnitudeSeeds()
    {
        var layout = new GenomeLayout([new SegmentSpec("conv", 8), new SegmentSpec("fc", 4)]);
        var problem = new Evolution.Problem(layout, [new ObjectiveSpec("accuracy_drop", Direction.Minimize), new ObjectiveSpec("macs", Direction.Minimize)]);
        var ranking = new SeedRanking("l1", new Dictionary<string, double[]> { ["conv"] = [8, 7, 6, 5, 4, 3, 2, 1] }, [0.25, 0.5]);
        var engine = Nsga2.Create(problem, new Nsga2Settings { PopulationSize = 6, SeedRankings = [ranking] });
        var first = engine.Ask(6).Select(c => c.Genome.ToCanonicalString()).ToList();
        Assert.Equal("conv=11111111;fc=1111", first[0]);
        Assert.Equal("conv=11000000;fc=1111", first[1]);
        Assert.Equal("conv=11110000;fc=1111", first[2]);
        Assert.Equal(6, first.Distinct().Count());
    }

    [Fact]
    public void RepairIsAppliedBeforeEvaluation()
    {
        var layout = new GenomeLayout([new SegmentSpec("a", 6, MinKeep: 2), new SegmentSpec("b", 6, MinKeep: 4)]);
        var problem = new Evolution.Problem(layout, [new ObjectiveSpec("x", Direction.Minimize), new ObjectiveSpec("y", Direction.Minimize)]);
        var engine = Nsga2.Create(problem, new Nsga2Settings { PopulationSize = 10, InitialDensities = [0.0, 0.1], MutationRate = 0.3 });
        for (var i = 0; i < 40; i++)
        {
            foreach (var c in engine.Ask(3))
            {
                Assert.True(c.Genome.CountKept(0) >= 2);
                Assert.True(c.Genome.CountKept(1) >= 4);
                engine.Tell(c.Id, new Evaluation([c.Genome.CountKept(0), 12 - c.Genome.TotalKept], 0));
            }
        }
    }

    [Fact]
    public void TinySearchSpaceIsExhaustedInsteadOfRepeatingGenomes()
    {
        var layout = new GenomeLayout([new SegmentSpec("a", 3, MinKeep: 0)]);
        var problem = new Evolution.Problem(layout, [new ObjectiveSpec("x", Direction.Minimize), new ObjectiveSpec("y", Direction.Minimize)]);
        var engine = Nsga2.Create(problem, new Nsga2Settings { PopulationSize = 4, MaxDuplicateRetries = 200 });
        var hashes = new HashSet<string>();
        while (!engine.IsTerminated)
        {
            var asked = engine.Ask(2);
            if (asked.Count == 0)
            {
                break;
            }

            foreach (var c in asked)
            {
                Assert.True(hashes.Add(c.Genome.ContentHash));
                engine.Tell(c.Id, new Evaluation([c.Genome.TotalKept, 3 - c.Genome.TotalKept], 0));
            }
        }

        Assert.Equal(8, hashes.Count);
        Assert.True(engine.IsExhausted);
        Assert.True(engine.IsTerminated);
    }

    [Fact]
    public void WallClockTerminationUsesTheInjectedTimeProviderAndSurvivesRestore()
    {
        var time = new ManualTimeProvider();
        var settings = new Nsga2Settings { Termination = new TerminationSpec { WallClock = TimeSpan.FromMinutes(10) } };
        var engine = Nsga2.Create(Knapsack.Problem, settings, time);
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0.4, engine.Progress, 12);
        var restored = Nsga2.Restore(Knapsack.Problem, AlgorithmState.FromJson(engine.SaveState().ToJson()), time);
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.True(restored.IsTerminated);
        Assert.Empty(restored.Ask(5));
    }

    [Fact]
    public void HypervolumeStagnationStopsAConvergedRun()
    {
        var settings = new Nsga2Settings
        {
            PopulationSize = 20,
            Mode = DriverMode.Generational,
            InitialDensities = [0.2],
            Termination = new TerminationSpec { MaxGenerations = 500, HypervolumeStagnation = new(5, 1e-9) },
        };
        var engine = Nsga2.Create(Knapsack.Problem, settings);
        Driver.Run(engine, Knapsack.Evaluate, 100);
        Assert.True(engine.IsTerminated);
        Assert.True(engine.Generation < 500);
        var h = engine.HypervolumeHistory;
        Assert.Equal(h[^1], h[^6]);
    }

    [Fact]
    public void RestoreRejectsAnotherLayoutOrVersion()
    {
        var engine = Nsga2.Create(Knapsack.Problem, new Nsga2Settings());
        var state = engine.SaveState();
        Assert.Throws<ArgumentException>(() => Nsga2.Restore(new Knapsack(21, 5).Problem, state));
        Assert.Throws<ArgumentException>(() => Nsga2.Restore(Knapsack.Problem, state with { Version = 99 }));
        Assert.Throws<FormatException>(() => AlgorithmState.FromJson(state.ToJson().Replace("\"version\":1", "\"version\":2", StringComparison.Ordinal)));
    }

    private sealed class RecordingListener : IEvolutionListener
    {
        public List<EvaluatedEvent> Evaluated { get; } = [];

        public List<GenerationCompletedEvent> Generations { get; } = [];

        public void OnEvaluated(EvaluatedEvent evaluated) => Evaluated.Add(evaluated);

        public void OnGenerationCompleted(GenerationCompletedEvent completed) => Generations.Add(completed);
    }
}
