namespace PrunerCluster.Evolution.Tests.Operators;

[Trait("Category", "Unit")]
public sealed class RuleInitializationTests
{
    // Two layers of 4 units; layer "a" is far more important than layer "b".
    private static readonly GenomeLayout Layout = new([new SegmentSpec("a", 0, IntGenes: 1, IntGeneMax: 3, MinKeep: 0), new SegmentSpec("b", 0, IntGenes: 1, IntGeneMax: 3, MinKeep: 0)]);

    private static readonly Dictionary<string, double[]> Importance = new(StringComparer.Ordinal)
    {
        ["a"] = [4.0, 3.0, 2.0, 1.0],
        ["b"] = [0.4, 0.3, 0.2, 0.1],
    };

    private static readonly double[][] KeepFractions = [[1.0, 0.75, 0.5, 0.25], [1.0, 0.75, 0.5, 0.25]];

    [Fact]
    public void AGlobalThresholdSpendsTheBudgetOnTheMostImportantUnitsWherever_TheyAre()
    {
        Assert.Equal([1.0, 0.0], RuleInitialization.KeptFractions(Layout, Importance, PruningRule.GlobalThreshold, 0.5));
        Assert.Equal([1.0, 0.25], RuleInitialization.KeptFractions(Layout, Importance, PruningRule.GlobalThreshold, 0.625));
    }

    [Fact]
    public void LampScoresAreScaleFreePerLayerAndKeepEveryLayersBestUnit()
    {
        // Same relative magnitudes in both layers: identical scores, so LAMP prunes them alike although "b" is 10x smaller.
        Assert.Equal(RuleInitialization.Scores(Importance["a"], PruningRule.Lamp), RuleInitialization.Scores(Importance["b"], PruningRule.Lamp), new Tolerance());
        Assert.Equal(1.0, RuleInitialization.Scores(Importance["b"], PruningRule.Lamp)[0], 12);
        Assert.Equal(1.0 / 30, RuleInitialization.Scores(Importance["a"], PruningRule.Lamp)[3], 12);
        Assert.Equal([0.5, 0.5], RuleInitialization.KeptFractions(Layout, Importance, PruningRule.Lamp, 0.5));
        var kept = RuleInitialization.KeptFractions(Layout, Importance, PruningRule.Lamp, 0.25);
        Assert.Equal([0.25, 0.25], kept);
    }

    [Fact]
    public void GenomesTakeTheLevelNearestTheRulesKeepFraction()
    {
        var genome = RuleInitialization.Create(Layout, Importance, PruningRule.GlobalThreshold, 0.625, KeepFractions);
        Assert.Equal(0, genome.GetInt(0, 0));
        Assert.Equal(3, genome.GetInt(1, 0));

        // A layer the rule empties takes the narrowest level the encoding has.
        Assert.Equal(3, RuleInitialization.Create(Layout, Importance, PruningRule.GlobalThreshold, 0.5, KeepFractions).GetInt(1, 0));
    }

    [Fact]
    public void SegmentsWithoutImportanceKeepTheGlobalRatio()
    {
        var partial = new Dictionary<string, double[]>(StringComparer.Ordinal) { ["a"] = [4.0, 3.0, 2.0, 1.0] };
        Assert.Equal([0.5, 0.5], RuleInitialization.KeptFractions(Layout, partial, PruningRule.GlobalThreshold, 0.5));
    }

    [Fact]
    public void SeedGenomesEnterTheFirstPopulationAndBadOnesAreRefused()
    {
        var problem = new Problem(Layout, [new ObjectiveSpec("x", Direction.Minimize), new ObjectiveSpec("y", Direction.Minimize)]);
        var seed = RuleInitialization.Create(Layout, Importance, PruningRule.Lamp, 0.5, KeepFractions).ToCanonicalString();
        var engine = Nsga2.Create(problem, new Nsga2Settings { PopulationSize = 4, SeedGenomes = [seed], LevelKeepFractions = KeepFractions });
        var first = engine.Ask(4);
        Assert.Equal(seed, first[1].Genome.ToCanonicalString());
        var error = Assert.Throws<ArgumentException>(() => Nsga2.Create(problem, new Nsga2Settings { SeedGenomes = ["nonsense"] }));
        Assert.Equal("SeedGenomes", error.ParamName);
    }

    private sealed class Tolerance : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;

        public int GetHashCode(double obj) => 0;
    }
}
