namespace PrunerCluster.Evolution.Tests.LevelGenomes;

/// <summary>Genomes of keep levels (no bits, one ordinal gene per layer) and the operators for them.</summary>
[Trait("Category", "Unit")]
public sealed class LevelEncodingTests
{
    private static readonly GenomeLayout Levels = new(
    [
        new SegmentSpec("conv1", 0, IntGenes: 1, IntGeneMax: 15, MinKeep: 0),
        new SegmentSpec("conv2", 0, IntGenes: 1, IntGeneMax: 15, MinKeep: 0),
        new SegmentSpec("fc", 0, IntGenes: 1, IntGeneMax: 15, MinKeep: 0),
    ]);

    [Fact]
    public void CreepMovesEachHitGeneByOneOrTwoWithinRange()
    {
        var random = new RandomSource(3);
        var moved = 0;
        for (var t = 0; t < 2000; t++)
        {
            var g = RandomInitialization.Create(Levels, 1, random);
            var m = new CreepMutation().Mutate(g, 0.5, random);
            for (var s = 0; s < 3; s++)
            {
                var delta = Math.Abs(m.GetInt(s, 0) - g.GetInt(s, 0));
                Assert.InRange(delta, 0, 2);
                Assert.InRange(m.GetInt(s, 0), 0, 15);
                moved += delta > 0 ? 1 : 0;
            }
        }

        // Rate 0.5 over 3 genes x 2000 genomes: about 3000 moves (clamping at the bounds can only swallow a few).
        Assert.InRange(moved, 2700, 3300);
        var full = Genome.Full(Levels);
        Assert.Equal(full, new CreepMutation().Mutate(full, 0, random));
    }

    [Fact]
    public void LevelInitializationSetsEveryFirstGeneAndKeepsAllBits()
    {
        var hybrid = new GenomeLayout([new SegmentSpec("a", 8, IntGenes: 1, IntGeneMax: 15, MinKeep: 0), new SegmentSpec("b", 4, MinKeep: 1)]);
        var g = LevelInitialization.Create(hybrid, 0.5);
        Assert.Equal(8, g.GetInt(0, 0));
        Assert.Equal(12, g.TotalKept);
        Assert.Equal(15, LevelInitialization.Create(Levels, 1).GetInt(2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LevelInitialization.Create(Levels, 1.5));
    }

    [Fact]
    public void SeedLevelsEnterTheFirstPopulation()
    {
        var problem = new Problem(Levels, [new ObjectiveSpec("x", Direction.Minimize)]);
        var settings = new Nsga2Settings { PopulationSize = 8, SeedLevelFractions = [0.25, 0.5], Mutation = MutationKind.Creep };
        var engine = Nsga2.Create(problem, settings);
        var first = engine.Ask(8).Select(c => c.Genome).ToList();
        Assert.Equal(Genome.Full(Levels), first[0]);
        Assert.Equal([4, 4, 4], Enumerable.Range(0, 3).Select(s => first[1].GetInt(s, 0)));
        Assert.Equal([8, 8, 8], Enumerable.Range(0, 3).Select(s => first[2].GetInt(s, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nsga2.Create(problem, settings with { SeedLevelFractions = [2.0] }));
    }

    [Fact]
    public void KeepFractionsMakeOneLevelFractionTheSamePruningInSegmentsWithFewAndManyValues()
    {
        // Widths merged by rounding: a 32-unit layer has 32/16, a 64-unit one 64/48/32/16, a 256-unit one 16 widths.
        var layout = new GenomeLayout(
        [
            new SegmentSpec("conv1", 0, IntGenes: 1, IntGeneMax: 1, MinKeep: 0),
            new SegmentSpec("conv3", 0, IntGenes: 1, IntGeneMax: 3, MinKeep: 0),
            new SegmentSpec("fc1", 0, IntGenes: 1, IntGeneMax: 15, MinKeep: 0),
        ]);
        double[][] keep = [[1, 0.5], [1, 0.75, 0.5, 0.25], [.. Enumerable.Range(0, 16).Select(i => (16 - i) / 16.0)]];

        // Keep a quarter: by position in the range conv3 would keep half (round(0.75 x 3) = 2); by keep fraction a quarter.
        Assert.Equal([1, 2, 11], Enumerable.Range(0, 3).Select(s => LevelInitialization.Create(layout, 0.75).GetInt(s, 0)));
        Assert.Equal([1, 3, 12], Enumerable.Range(0, 3).Select(s => LevelInitialization.Create(layout, 0.75, keep).GetInt(s, 0)));
        Assert.Equal([0, 0, 0], Enumerable.Range(0, 3).Select(s => LevelInitialization.Create(layout, 0, keep).GetInt(s, 0)));

        var random = new RandomSource(7);
        for (var t = 0; t < 200; t++)
        {
            // Density 0.25 +- 0.1: conv3 keeps a quarter, fc1 between 0.15 and 0.35 of its units, conv1 its narrowest width.
            var g = RandomInitialization.CreateCorrelated(layout, 0.25, 0.1, random, keep);
            Assert.Equal(1, g.GetInt(0, 0));
            Assert.Equal(3, g.GetInt(1, 0));
            Assert.InRange(g.GetInt(2, 0), 10, 14);
        }

        Assert.Throws<ArgumentException>(() => LevelInitialization.Create(layout, 0.5, [[1, 0.5]]));
        Assert.Throws<ArgumentException>(() => LevelInitialization.Create(layout, 0.5, [[1, 0.5], [1, 0.5], keep[2]]));
        var problem = new Problem(layout, [new ObjectiveSpec("x", Direction.Minimize)]);
        var settings = new Nsga2Settings { PopulationSize = 4, SeedLevelFractions = [0.75], LevelKeepFractions = keep, Mutation = MutationKind.Creep };
        Assert.Equal([1, 3, 12], Enumerable.Range(0, 3).Select(s => Nsga2.Create(problem, settings).Ask(4)[1].Genome.GetInt(s, 0)));
        Assert.Throws<ArgumentException>(() => Nsga2.Create(problem, settings with { LevelKeepFractions = [[1, 0.5]] }));
    }

    [Fact]
    public void SeedDesignOperatorsStillWorkOnLevelGenomes()
    {
        var random = new RandomSource(5);
        var a = RandomInitialization.Create(Levels, 1, random);
        var b = RandomInitialization.Create(Levels, 1, random);
        var (c, d) = PrunerCluster.Evolution.Operators.Crossover(CrossoverKind.SinglePoint).Cross(a, b, random);
        for (var s = 0; s < 3; s++)
        {
            Assert.Contains(c.GetInt(s, 0), new[] { a.GetInt(s, 0), b.GetInt(s, 0) });
            Assert.Contains(d.GetInt(s, 0), new[] { a.GetInt(s, 0), b.GetInt(s, 0) });
        }

        var m = PrunerCluster.Evolution.Operators.Mutation(MutationKind.BitFlip).Mutate(a, 1, random);
        Assert.All(Enumerable.Range(0, 3), s => Assert.NotEqual(a.GetInt(s, 0), m.GetInt(s, 0)));
        Assert.IsType<RouletteWheelSelection>(PrunerCluster.Evolution.Operators.Selection(SelectionKind.RouletteWheel));
    }

    [Fact]
    public void CorrelatedLevelsStayWithinTheSpreadOfTheDensitysLevel()
    {
        var random = new RandomSource(11);
        var wide = new GenomeLayout([.. Enumerable.Range(0, 12).Select(i => new SegmentSpec($"l{i}", 0, IntGenes: 1, IntGeneMax: 15, MinKeep: 0))]);
        var seen = new HashSet<int>();
        for (var t = 0; t < 500; t++)
        {
            // Density 0.6 centres on level 6 (0.4 x 15); spread 0.2 allows +- 3 levels.
            var g = RandomInitialization.CreateCorrelated(wide, 0.6, 0.2, random);
            for (var s = 0; s < 12; s++)
            {
                Assert.InRange(g.GetInt(s, 0), 3, 9);
                seen.Add(g.GetInt(s, 0));
            }
        }

        Assert.Equal(7, seen.Count);
        Assert.All(Enumerable.Range(0, 12), s => Assert.Equal(0, RandomInitialization.CreateCorrelated(wide, 1, 0, random).GetInt(s, 0)));
        Assert.All(Enumerable.Range(0, 12), s => Assert.Equal(15, RandomInitialization.CreateCorrelated(wide, 0, 0, random).GetInt(s, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomInitialization.CreateCorrelated(wide, 0.5, 1.5, random));
    }

    [Fact]
    public void ALevelSpreadMakesTheFirstPopulationsRandomMembersCorrelated()
    {
        // Uniform levels: the spread of levels within one genome is wide (independent draws over 0..15); with a spread of
        // 0.1 every genome's levels lie within 3 of each other and their centres follow the cycled densities.
        var wide = new GenomeLayout([.. Enumerable.Range(0, 8).Select(i => new SegmentSpec($"l{i}", 0, IntGenes: 1, IntGeneMax: 15, MinKeep: 0))]);
        var problem = new Problem(wide, [new ObjectiveSpec("x", Direction.Minimize)]);
        var settings = new Nsga2Settings { PopulationSize = 12, IncludeFullGenome = false, InitialDensities = [0.2, 0.8], Mutation = MutationKind.Creep };
        static int Range(Genome g) => Enumerable.Range(0, 8).Max(s => g.GetInt(s, 0)) - Enumerable.Range(0, 8).Min(s => g.GetInt(s, 0));

        var independent = Nsga2.Create(problem, settings).Ask(12).Select(c => c.Genome).ToList();
        var correlated = Nsga2.Create(problem, settings with { InitialLevelSpread = 0.1 }).Ask(12).Select(c => c.Genome).ToList();

        Assert.True(independent.Average(Range) >= 7, $"independent levels should range widely, got {independent.Average(Range)}");
        Assert.All(correlated, g => Assert.InRange(Range(g), 0, 3));
        Assert.All(correlated.Where((_, i) => i % 2 == 0), g => Assert.InRange(g.GetInt(0, 0), 11, 13));
        Assert.All(correlated.Where((_, i) => i % 2 == 1), g => Assert.InRange(g.GetInt(0, 0), 2, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nsga2.Create(problem, settings with { InitialLevelSpread = -0.1 }));
    }

    [Fact]
    public void ArithmeticCrossoverBreedsChildrenBetweenTheirParentsInEveryLayer()
    {
        var random = new RandomSource(17);
        var hybrid = new GenomeLayout([new SegmentSpec("a", 8, IntGenes: 1, IntGeneMax: 15, MinKeep: 0), new SegmentSpec("b", 0, IntGenes: 1, IntGeneMax: 15, MinKeep: 0)]);
        var light = Genome.Create(hybrid, [new bool[8], []], [[2], [4]]);
        var heavy = Genome.Create(hybrid, [Enumerable.Repeat(true, 8).ToArray(), []], [[14], [12]]);
        var crossover = PrunerCluster.Evolution.Operators.Crossover(CrossoverKind.Arithmetic);
        var firsts = new HashSet<int>();
        for (var t = 0; t < 400; t++)
        {
            var (c, d) = crossover.Cross(light, heavy, random);
            foreach (var child in new[] { c, d })
            {
                Assert.InRange(child.GetInt(0, 0), 2, 14);
                Assert.InRange(child.GetInt(1, 0), 4, 12);

                // One weight per mating: both layers move the same fraction of the way from one parent to the other.
                Assert.True(Math.Abs(((child.GetInt(0, 0) - 2) / 12.0) - ((child.GetInt(1, 0) - 4) / 8.0)) <= 0.11, $"{child.GetInt(0, 0)}, {child.GetInt(1, 0)}");
            }

            Assert.Equal(16, c.GetInt(0, 0) + d.GetInt(0, 0));
            Assert.Equal(8, c.TotalKept + d.TotalKept);
            firsts.Add(c.GetInt(0, 0));
        }

        Assert.Equal(13, firsts.Count);
        Assert.Equal((light, light), crossover.Cross(light, light, random));
    }
}
