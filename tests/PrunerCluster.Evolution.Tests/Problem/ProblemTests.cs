namespace PrunerCluster.Evolution.Tests.Problems;

[Trait("Category", "Unit")]
public sealed class ProblemTests
{
    private static readonly GenomeLayout Layout = new([new SegmentSpec("a", 10, MinKeep: 3), new SegmentSpec("b", 4, MinKeep: 0)]);

    private static readonly Evolution.Problem Problem = new(
        Layout,
        [new ObjectiveSpec("accuracy_drop", Direction.Minimize), new ObjectiveSpec("throughput", Direction.Maximize)],
        [new ConstraintSpec("accuracy_drop", ConstraintOp.LessOrEqual, 1), new ConstraintSpec("latency_ms", ConstraintOp.LessOrEqual, 5)]);

    [Fact]
    public void AssessReadsObjectivesAndSumsRelativeViolations()
    {
        var feasible = Problem.Assess(new Dictionary<string, double> { ["accuracy_drop"] = 0.5, ["throughput"] = 100, ["latency_ms"] = 4 });
        Assert.Equal([0.5, 100], feasible.Objectives);
        Assert.True(feasible.IsFeasible);

        var infeasible = Problem.Assess(new Dictionary<string, double> { ["accuracy_drop"] = 3, ["throughput"] = 100, ["latency_ms"] = 7.5 });
        Assert.Equal(2 + 0.5, infeasible.ConstraintViolation, 12);
        Assert.Equal([0.5, -100], Problem.ToMinimization(feasible.Objectives));
    }

    [Fact]
    public void AssessNamesMissingOrNonFiniteMetrics()
    {
        var missing = Assert.Throws<ArgumentException>(() => Problem.Assess(new Dictionary<string, double> { ["accuracy_drop"] = 0.5, ["throughput"] = 1 }));
        Assert.Contains("latency_ms", missing.Message, StringComparison.Ordinal);
        var nan = Assert.Throws<ArgumentException>(() => Problem.Assess(new Dictionary<string, double> { ["accuracy_drop"] = double.NaN, ["throughput"] = 1, ["latency_ms"] = 1 }));
        Assert.Contains("accuracy_drop", nan.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRejectsMismatchedCountsNaNAndNegativeViolation()
    {
        var count = Assert.Throws<ArgumentException>(() => Problem.Validate(new Evaluation([1.0], 0)));
        Assert.Equal("evaluation", count.ParamName);
        Assert.Contains("2 objectives", count.Message, StringComparison.Ordinal);
        var nan = Assert.Throws<ArgumentException>(() => Problem.Validate(new Evaluation([1.0, double.NaN], 0)));
        Assert.Contains("throughput", nan.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Problem.Validate(new Evaluation([1.0, 2], -1)));
        Assert.Throws<ArgumentException>(() => Problem.Validate(new Evaluation([1.0, 2], double.NaN)));
    }

    [Fact]
    public void ConstructorRejectsBadObjectivesAndConstraints()
    {
        Assert.Equal("objectives", Assert.Throws<ArgumentException>(() => new Evolution.Problem(Layout, [])).ParamName);
        Assert.Throws<ArgumentException>(() => new Evolution.Problem(Layout, [new ObjectiveSpec("x", Direction.Minimize), new ObjectiveSpec("x", Direction.Maximize)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Evolution.Problem(Layout, [new ObjectiveSpec("x", Direction.Minimize)], [new ConstraintSpec("y", ConstraintOp.LessOrEqual, double.NaN)]));
    }

    [Fact]
    public void RepairRestoresMinKeepAtSpreadPositionsAndLeavesValidGenomesAlone()
    {
        var empty = Evolution.Genome.Create(Layout, [new bool[10], new bool[4]]);
        var repaired = Problem.Repair(empty);
        Assert.Equal(3, repaired.CountKept(0));
        Assert.Equal(0, repaired.CountKept(1));
        Assert.Equal([false, true, false, false, false, true, false, false, true, false], repaired.GetSegmentBits(0));
        Assert.Same(repaired, Problem.Repair(repaired));

        var oneKept = new bool[10];
        oneKept[5] = true;
        var partial = Problem.Repair(Evolution.Genome.Create(Layout, [oneKept, new bool[4]]));
        Assert.Equal(3, partial.CountKept(0));
        Assert.True(partial.GetBit(0, 5));
    }

    [Fact]
    public void ExtraRepairRunsAfterMinKeep()
    {
        var problem = new Evolution.Problem(Layout, [new ObjectiveSpec("x", Direction.Minimize)], extraRepair: g =>
        {
            var b = g.ToBuilder();
            b.SetBit(Layout.BitOffset(1), true);
            return b.ToGenome();
        });
        var repaired = problem.Repair(Evolution.Genome.Create(Layout, [new bool[10], new bool[4]]));
        Assert.Equal(3, repaired.CountKept(0));
        Assert.True(repaired.GetBit(1, 0));
    }

    [Fact]
    public void ConstrainedDominationPrefersFeasibleThenSmallerViolation()
    {
        Assert.Equal(-1, Dominance.CompareConstrained([5, 5], 0, [0, 0], 0.1));
        Assert.Equal(1, Dominance.CompareConstrained([0, 0], 0.3, [9, 9], 0.1));
        Assert.Equal(0, Dominance.CompareConstrained([0, 0], 0.3, [9, 9], 0.3));
        Assert.Equal(-1, Dominance.CompareConstrained([0, 1], 0, [1, 1], 0));
        Assert.Equal(0, Dominance.CompareConstrained([0, 2], 0, [1, 1], 0));
    }
}
