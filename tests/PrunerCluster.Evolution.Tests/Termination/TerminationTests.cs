namespace PrunerCluster.Evolution.Tests.Termination;

[Trait("Category", "Unit")]
public sealed class TerminationTests
{
    private static TerminationContext Context(int generation = 0, int evaluations = 0, double seconds = 0, params double[] hv) =>
        new(generation, evaluations, TimeSpan.FromSeconds(seconds), hv);

    [Fact]
    public void SingleCriteriaReportMetAndProgress()
    {
        var gens = new MaxGenerationsTermination(10);
        Assert.False(gens.IsMet(Context(generation: 9)));
        Assert.True(gens.IsMet(Context(generation: 10)));
        Assert.Equal(0.5, gens.Progress(Context(generation: 5)));

        var evals = new MaxEvaluationsTermination(100);
        Assert.Equal(1, evals.Progress(Context(evaluations: 250)));
        Assert.True(evals.IsMet(Context(evaluations: 100)));

        var clock = new WallClockTermination(TimeSpan.FromSeconds(4));
        Assert.Equal(0.25, clock.Progress(Context(seconds: 1)));
        Assert.True(clock.IsMet(Context(seconds: 4)));
    }

    [Fact]
    public void StagnationCountsGenerationsWithoutRelativeImprovement()
    {
        var stagnation = new HypervolumeStagnationTermination(3, 0.01);
        Assert.False(stagnation.IsMet(Context(hv: [1, 2, 3, 4])));
        Assert.Equal(2.0 / 3, stagnation.Progress(Context(hv: [1, 2, 2.001, 2.002])), 12);
        Assert.True(stagnation.IsMet(Context(hv: [1, 2, 2.001, 2.002, 2.003])));
        Assert.False(stagnation.IsMet(Context(hv: [0, 0, 0, 1])));
        Assert.False(stagnation.IsMet(Context(hv: [0, 0, 0, 0, 0, 0])));
    }

    [Fact]
    public void AnyAndAllCompose()
    {
        var any = new AnyTermination([new MaxGenerationsTermination(10), new MaxEvaluationsTermination(100)]);
        var all = new AllTermination([new MaxGenerationsTermination(10), new MaxEvaluationsTermination(100)]);
        var ctx = Context(generation: 10, evaluations: 50);
        Assert.True(any.IsMet(ctx));
        Assert.False(all.IsMet(ctx));
        Assert.Equal(1, any.Progress(ctx));
        Assert.Equal(0.5, all.Progress(ctx));
    }

    [Fact]
    public void SpecBuildsAndValidatesNamingTheParameter()
    {
        var spec = new TerminationSpec { MaxGenerations = 5, WallClock = TimeSpan.FromMinutes(1), Combine = TerminationCombine.All };
        Assert.IsType<AllTermination>(spec.Build());
        Assert.IsType<NeverTermination>(new TerminationSpec().Build());
        Assert.Equal("MaxGenerations", Assert.Throws<ArgumentOutOfRangeException>(() => new TerminationSpec { MaxGenerations = 0 }.Build()).ParamName);
        Assert.Equal("WallClock", Assert.Throws<ArgumentOutOfRangeException>(() => new TerminationSpec { WallClock = TimeSpan.Zero }.Build()).ParamName);
        Assert.Equal(
            "HypervolumeStagnation",
            Assert.Throws<ArgumentOutOfRangeException>(() => new TerminationSpec { HypervolumeStagnation = new(3, -1) }.Build()).ParamName);
    }

    [Fact]
    public void ProgressStaysInUnitInterval()
    {
        ITermination[] criteria =
        [
            new MaxGenerationsTermination(3), new MaxEvaluationsTermination(7), new WallClockTermination(TimeSpan.FromSeconds(2)),
            new HypervolumeStagnationTermination(2, 0),
        ];
        foreach (var c in criteria)
        {
            foreach (var ctx in new[] { Context(), Context(100, 100, 100, 1, 1, 1, 1), Context(1, 1, 1, 1, 2) })
            {
                Assert.InRange(c.Progress(ctx), 0, 1);
            }
        }
    }
}
