using PrunerCluster.Evolution.Tests.Support;

namespace PrunerCluster.Evolution.Tests.Algorithm;

[Trait("Category", "Unit")]
public sealed class AlgorithmStateTests
{
    [Fact]
    public void EverySettingSurvivesTheJsonRoundTrip()
    {
        var layout = new GenomeLayout([new SegmentSpec("conv", 6, IntGenes: 1, IntGeneMax: 3), new SegmentSpec("fc", 5, MinKeep: 2)]);
        var problem = new Evolution.Problem(
            layout,
            [new ObjectiveSpec("accuracy_drop", Direction.Minimize), new ObjectiveSpec("macs", Direction.Minimize), new ObjectiveSpec("throughput", Direction.Maximize)]);
        var settings = new Nsga2Settings
        {
            PopulationSize = 8,
            Seed = ulong.MaxValue - 5,
            Mode = DriverMode.Generational,
            CrossoverProbability = 0.7,
            MutationRate = 0.123456789,
            Crossover = CrossoverKind.SegmentWise,
            Mutation = MutationKind.DensityPreservingSwap,
            Selection = SelectionKind.RouletteWheel,
            InitialDensities = [0.25, 0.75],
            SeedRankings = [new SeedRanking("l1", new Dictionary<string, double[]> { ["conv"] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] }, [0.5])],
            IncludeFullGenome = false,
            MaxDuplicateRetries = 9,
            Termination = new TerminationSpec
            {
                MaxGenerations = 7,
                MaxEvaluations = 1000,
                WallClock = TimeSpan.FromMinutes(90),
                HypervolumeStagnation = new(4, 1e-3, [1, 1e9, 0]),
                Combine = TerminationCombine.Any,
            },
        };
        var time = new ManualTimeProvider();
        var engine = Nsga2.Create(problem, settings, time);
        var random = new RandomSource(1);
        for (var g = 0; g < 3; g++)
        {
            foreach (var c in engine.Ask(100))
            {
                engine.Tell(c.Id, new Evaluation([random.NextDouble(), random.NextInt(1000) * 1e6, random.NextDouble() * 1e4], random.NextBool(0.2) ? random.NextDouble() : 0));
            }
        }

        time.Advance(TimeSpan.FromSeconds(12.5));
        engine.Ask(3);
        var json = engine.SaveState().ToJson();
        var state = AlgorithmState.FromJson(json);
        Assert.Equal(settings.Seed, state.Settings.Seed);
        Assert.Equal(settings.Termination.WallClock, state.Settings.Termination.WallClock);
        Assert.Equal(0.123456789, state.Settings.MutationRate);
        Assert.Equal([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], state.Settings.SeedRankings![0].Importance["conv"]);
        Assert.Equal(TimeSpan.FromSeconds(12.5).Ticks, state.ElapsedTicks);
        Assert.Contains("\"mode\":\"Generational\"", json, StringComparison.Ordinal);

        var restored = Nsga2.Restore(problem, state, time);
        Assert.Equal(json, restored.SaveState().ToJson());
        Assert.Equal(engine.Hypervolume([2, 2e9, -1]), restored.Hypervolume([2, 2e9, -1]));
    }

    [Fact]
    public void DefaultsMatchTheContract()
    {
        var s = new Nsga2Settings();
        Assert.Equal(20, s.PopulationSize);
        Assert.Equal(1UL, s.Seed);
        Assert.Equal(DriverMode.SteadyState, s.Mode);
        Assert.Equal(0.9, s.CrossoverProbability);
        Assert.Null(s.MutationRate);
        Assert.Equal(1.0 / 13, s.EffectiveMutationRate(new GenomeLayout([new SegmentSpec("a", 10, 3, 2)])), 15);
    }

    [Fact]
    public void MalformedJsonIsRejected()
    {
        Assert.Throws<FormatException>(() => AlgorithmState.FromJson("{\"settings\":{}}"));
        Assert.ThrowsAny<Exception>(() => AlgorithmState.FromJson("not json"));
    }
}
