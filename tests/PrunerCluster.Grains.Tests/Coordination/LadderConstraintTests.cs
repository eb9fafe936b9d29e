using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

/// <summary>Constraints on training-dependent metrics apply at the top rung of a ladder only.</summary>
[Trait("Category", "Unit")]
public sealed class LadderConstraintTests
{
    private static readonly ExperimentSpec Ladder = new()
    {
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        Constraints =
        [
            new(MetricNames.AccuracyDrop, ConstraintOperator.LessOrEqual, 5),
            new(MetricNames.Macs, ConstraintOperator.LessOrEqual, 1000),
        ],
        Search = new SearchSettings { Fidelities = [new FidelityRung { FineTuneSteps = 0 }, new FidelityRung { FineTuneSteps = 300 }] },
    };

    private static readonly Problem Problem = new(
        new GenomeLayout([new SegmentSpec("a", 4)]),
        [new ObjectiveSpec(MetricNames.Accuracy, Direction.Maximize), new ObjectiveSpec(MetricNames.Macs, Direction.Minimize)],
        [new ConstraintSpec(MetricNames.AccuracyDrop, ConstraintOp.LessOrEqual, 5), new ConstraintSpec(MetricNames.Macs, ConstraintOp.LessOrEqual, 1000)]);

    private static Dictionary<string, double> Metrics(double drop, double macs) => new(StringComparer.Ordinal)
    {
        [MetricNames.Accuracy] = 0.9 - (drop / 100),
        [MetricNames.AccuracyDrop] = drop,
        [MetricNames.Macs] = macs,
    };

    [Fact]
    public void Below_the_top_rung_only_structural_constraints_count()
    {
        var rung0 = ResultBooking.ConstraintsAt(Ladder, 0);
        Assert.NotNull(rung0);
        Assert.Equal(0, Problem.Assess(Metrics(drop: 20, macs: 500), rung0).ConstraintViolation);
        Assert.True(Problem.Assess(Metrics(drop: 20, macs: 5000), rung0).ConstraintViolation > 0);
        Assert.Null(ResultBooking.ConstraintsAt(Ladder, 1));
        Assert.True(Problem.Assess(Metrics(drop: 20, macs: 500), ResultBooking.ConstraintsAt(Ladder, 1)).ConstraintViolation > 0);
        Assert.Null(ResultBooking.ConstraintsAt(Ladder with { Search = new SearchSettings() }, 0));
    }

    [Fact]
    public void A_lower_rung_member_is_shown_on_the_front_only_if_it_meets_every_constraint_as_measured()
    {
        var genome = Genome.Full(Problem.Layout);
        var member = new ArchiveEntry(1, genome, new PrunerCluster.Evolution.Evaluation([0.7, 500], 0), Rung: 0);
        EvaluationRecord Record(double drop) => new() { IndividualKey = "k", MaskHash = "m", Metrics = Metrics(drop, 500) };

        Assert.False(CoordinatorViews.ShownOnTheFront(Ladder, member, Record(20)));
        Assert.True(CoordinatorViews.ShownOnTheFront(Ladder, member, Record(3)));
        Assert.True(CoordinatorViews.ShownOnTheFront(Ladder, member with { Rung = 1 }, Record(20)));
        Assert.True(CoordinatorViews.ShownOnTheFront(Ladder with { Search = new SearchSettings() }, member, Record(20)));
    }
}
