using PrunerCluster.Evolution.Tests.Support;

namespace PrunerCluster.Evolution.Tests.Fidelity;

[Trait("Category", "Unit")]
public sealed class EndgameTests
{
    private static readonly Knapsack Knapsack = new(24, 11);

    private static Nsga2Settings Settings(double endgame, TerminationSpec termination) => new()
    {
        PopulationSize = 12,
        Seed = 5,
        Fidelity = new FidelityLadderSpec { Rungs = 3, Eta = 3, EndgameFraction = endgame },
        Termination = termination,
    };

    private static Evaluation Evaluate(Candidate c)
    {
        var e = Knapsack.Evaluate(c.Genome);
        return new Evaluation([.. e.Objectives.Select(v => v * (1 + (0.1 * c.Rung)))], e.ConstraintViolation);
    }

    /// <summary>Runs with <paramref name="workers"/> slots; each result takes <paramref name="seconds"/>[rung] on the manual clock when given.</summary>
    private static List<(Candidate Candidate, double Progress)> Drive(Nsga2 engine, int workers, ManualTimeProvider? clock = null, double[]? seconds = null)
    {
        var handed = new List<(Candidate, double)>();
        var inFlight = new Queue<Candidate>();
        foreach (var c in engine.Ask(workers))
        {
            inFlight.Enqueue(c);
            handed.Add((c, engine.Progress));
        }

        while (inFlight.Count > 0)
        {
            var c = inFlight.Dequeue();
            if (clock is not null && seconds is not null)
            {
                clock.Advance(TimeSpan.FromSeconds(seconds[c.Rung] / workers));
            }

            engine.Tell(c.Id, Evaluate(c));
            foreach (var next in engine.Ask(workers - inFlight.Count))
            {
                inFlight.Enqueue(next);
                handed.Add((next, engine.Progress));
            }
        }

        return handed;
    }

    [Fact]
    public void TheLastPartOfAnEvaluationBudgetPromotesInsteadOfBreeding()
    {
        var termination = new TerminationSpec { MaxEvaluations = 120 };
        var without = Nsga2.Create(Knapsack.Problem, Settings(0, termination));
        Drive(without, workers: 3);
        var with = Nsga2.Create(Knapsack.Problem, Settings(0.3, termination));
        var handed = Drive(with, workers: 3);

        Assert.Equal(120, with.EvaluationCount);
        Assert.True(with.ResultsPerRung[2] > without.ResultsPerRung[2], $"top rung: {with.ResultsPerRung[2]} with the endgame, {without.ResultsPerRung[2]} without");

        // Still one rung at a time, and never the same genome twice at a rung.
        foreach (var g in handed.Select(h => h.Candidate).GroupBy(c => c.Genome.ContentHash))
        {
            Assert.Equal(Enumerable.Range(0, g.Count()), g.OrderBy(c => c.Id).Select(c => c.Rung));
        }

        // In the endgame, new genomes are the exception: most handed-out candidates continue a result.
        var endgame = handed.Where(h => h.Progress >= 0.7).Select(h => h.Candidate).ToList();
        Assert.True(endgame.Count(c => c.Rung > 0) > endgame.Count(c => c.Rung == 0), $"endgame rungs: {string.Join(",", endgame.Select(c => c.Rung))}");
    }

    [Fact]
    public void AWallClockBudgetEndsWithMoreTopRungResults()
    {
        var termination = new TerminationSpec { WallClock = TimeSpan.FromSeconds(300) };
        double[] seconds = [1, 5, 10];
        var clockWithout = new ManualTimeProvider();
        var without = Nsga2.Create(Knapsack.Problem, Settings(0, termination), clockWithout);
        Drive(without, workers: 2, clockWithout, seconds);
        var clockWith = new ManualTimeProvider();
        var with = Nsga2.Create(Knapsack.Problem, Settings(0.3, termination), clockWith);
        Drive(with, workers: 2, clockWith, seconds);

        Assert.True(with.ResultsPerRung[2] > without.ResultsPerRung[2], $"top rung: {with.ResultsPerRung[2]} with the endgame, {without.ResultsPerRung[2]} without");
    }

    [Fact]
    public void NoPromotionPastTheQuotaWhenTheTopRungCannotBeReachedInTime()
    {
        // The top rung takes longer than the whole endgame: promoting past the quota could never finish there, so the
        // endgame changes nothing and the run hands out exactly what it would without it.
        var termination = new TerminationSpec { WallClock = TimeSpan.FromSeconds(300) };
        double[] seconds = [1, 2, 200];
        var clockWithout = new ManualTimeProvider();
        var without = Drive(Nsga2.Create(Knapsack.Problem, Settings(0, termination), clockWithout), workers: 1, clockWithout, seconds);
        var clockWith = new ManualTimeProvider();
        var with = Drive(Nsga2.Create(Knapsack.Problem, Settings(0.25, termination), clockWith), workers: 1, clockWith, seconds);

        Assert.Equal(without.Select(h => (h.Candidate.Genome.ContentHash, h.Candidate.Rung)), with.Select(h => (h.Candidate.Genome.ContentHash, h.Candidate.Rung)));
    }

    [Fact]
    public void AnEndgameFractionOutOfRangeIsRefused()
    {
        var spec = new FidelityLadderSpec { Rungs = 3, EndgameFraction = 0.95 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(spec.Validate);
        Assert.Contains("EndgameFraction", e.Message, StringComparison.Ordinal);
    }
}
