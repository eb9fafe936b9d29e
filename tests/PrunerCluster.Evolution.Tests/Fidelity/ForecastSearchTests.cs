namespace PrunerCluster.Evolution.Tests.Fidelity;

/// <summary>
/// A pruning-shaped problem on the ladder: keeping more of the weighted units costs more and is more accurate, lower
/// rungs underestimate accuracy most for the smallest masks, and an accuracy-drop constraint is judged only at the top
/// rung (as the coordinator judges it). The forecast must keep hopeless masks out of the front and off the top rung.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ForecastSearchTests
{
    private const int Units = 40;
    private const int Rungs = 3;
    private const double MaxDrop = 0.05;
    private static readonly double[] Weights = [.. Enumerable.Range(0, Units).Select(i => 1 + ((i * 7) % 10))];
    private static readonly GenomeLayout Layout = new([new SegmentSpec("units", Units, MinKeep: 1)]);
    private static readonly Problem Problem = new(Layout, [new ObjectiveSpec("accuracy", Direction.Maximize), new ObjectiveSpec("macs", Direction.Minimize)]);

    private static double Quality(Genome g) => Enumerable.Range(0, Units).Where(g.GetBitGlobal).Sum(i => Weights[i]) / Weights.Sum();

    private static double TopDrop(Genome g) => 0.5 * Math.Pow(1 - Quality(g), 2);

    private static Evaluation Evaluate(Candidate c)
    {
        var q = Quality(c.Genome);
        var accuracy = 0.92 - TopDrop(c.Genome) - ((Rungs - 1 - c.Rung) * 0.3 * (1 - q));
        var macs = Enumerable.Range(0, Units).Count(c.Genome.GetBitGlobal);
        var violation = c.Rung == Rungs - 1 ? Math.Max(0, TopDrop(c.Genome) - MaxDrop) : 0;
        return new Evaluation([accuracy, macs], violation);
    }

    private static (Nsga2 Engine, List<Candidate> Handed) Run(int witnesses)
    {
        var settings = new Nsga2Settings
        {
            PopulationSize = 12,
            Seed = 11,
            Fidelity = new FidelityLadderSpec { Rungs = Rungs, Eta = 3, RungSensitive = [true, false], ForecastWitnesses = witnesses },
            Termination = new TerminationSpec { MaxEvaluations = 240 },
        };
        var engine = Nsga2.Create(Problem, settings);
        var handed = new List<Candidate>();
        var inFlight = new Queue<Candidate>(engine.Ask(2));
        handed.AddRange(inFlight);
        while (inFlight.Count > 0)
        {
            var c = inFlight.Dequeue();
            engine.Tell(c.Id, Evaluate(c));
            foreach (var next in engine.Ask(2 - inFlight.Count))
            {
                inFlight.Enqueue(next);
                handed.Add(next);
            }
        }

        return (engine, handed);
    }

    [Fact]
    public void NoFrontMemberBelowTheTopRungIsOneTheTopRungHasShownHopeless()
    {
        var (engine, handed) = Run(witnesses: 2);
        var failedAtTop = handed.Where(c => c.Rung == Rungs - 1 && Evaluate(c).ConstraintViolation > 0).ToList();
        Assert.True(failedAtTop.Count >= 2, $"only {failedAtTop.Count} top-rung failures: the test shows nothing");
        foreach (var member in engine.ParetoFront.Where(e => e.Rung < Rungs - 1))
        {
            var accuracy = member.Evaluation.Objectives[0];
            var better = failedAtTop.Count(f => Evaluate(f with { Rung = member.Rung }).Objectives[0] >= accuracy);
            Assert.True(better < 2, $"front member {member.CandidateId} (rung {member.Rung}, accuracy {accuracy:F3}) is no better than {better} top-rung failures");
        }
    }

    [Fact]
    public void TheForecastSpendsLessOfTheLadderOnMasksThatFailAtTheTop()
    {
        static int Wasted(List<Candidate> handed) => handed.Count(c => c.Rung > 0 && TopDrop(c.Genome) > MaxDrop);
        var without = Wasted(Run(witnesses: 0).Handed);
        var with = Wasted(Run(witnesses: 2).Handed);
        Assert.True(with < without, $"promotions of masks that fail at the top: {with} with the forecast, {without} without");
    }

    [Fact]
    public void ASavedSearchResumesWithTheSameForecasts()
    {
        var (engine, _) = Run(witnesses: 2);
        var restored = Nsga2.Restore(Problem, engine.SaveState());
        Assert.Equal(
            engine.ParetoFront.Select(e => (e.CandidateId, e.Evaluation.ConstraintViolation)),
            restored.ParetoFront.Select(e => (e.CandidateId, e.Evaluation.ConstraintViolation)));
        Assert.Equal(
            engine.Population.Select(e => (e.CandidateId, e.Evaluation.ConstraintViolation)),
            restored.Population.Select(e => (e.CandidateId, e.Evaluation.ConstraintViolation)));
    }
}
