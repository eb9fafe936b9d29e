using PrunerCluster.Evolution.Tests.Support;

namespace PrunerCluster.Evolution.Tests.Algorithm;

/// <summary>
/// Budget: 35-item bi-objective knapsack, population 100, 150 generations (15,000 evaluations); the Pareto archive must
/// reach >= 98% of the hypervolume of the exact front (dynamic programming) w.r.t. reference point (0, 0).
/// </summary>
[Trait("Category", "Unit")]
public sealed class KnapsackConvergenceTests
{
    private const int Items = 35;

    [Theory]
    [InlineData(1UL, DriverMode.Generational)]
    [InlineData(2UL, DriverMode.Generational)]
    [InlineData(3UL, DriverMode.Generational)]
    [InlineData(4UL, DriverMode.SteadyState)]
    [InlineData(5UL, DriverMode.SteadyState)]
    public void ReachesNinetyEightPercentOfExactHypervolume(ulong seed, DriverMode mode)
    {
        var knapsack = new Knapsack(Items, 1000 + seed);
        var exact = knapsack.ExactFront();
        var exactHv = Hypervolume.Compute2D([.. exact.Select(Knapsack.Minimized)], [0, 0]);

        var engine = Nsga2.Create(knapsack.Problem, Settings(seed, mode));
        Driver.Run(engine, knapsack.Evaluate, batch: 16);

        Assert.True(engine.IsTerminated);
        var ratio = engine.Hypervolume(knapsack.ReferencePoint) / exactHv;
        Assert.True(ratio >= 0.98, $"hypervolume ratio {ratio:F4} (front {engine.ParetoFront.Count} of {exact.Count} points)");
        Assert.True(ratio <= 1 + 1e-12, $"hypervolume ratio {ratio} exceeds the exact front");
        foreach (var e in engine.ParetoFront)
        {
            Assert.True(e.Evaluation.IsFeasible);
            Assert.Contains(exact, p => p[0] >= e.Evaluation.Objectives[0] && p[1] >= e.Evaluation.Objectives[1]);
        }
    }

    [Fact]
    public void ExactFrontByDynamicProgrammingMatchesEnumerationOnASmallInstance()
    {
        var knapsack = new Knapsack(14, 7);
        var all = new List<double[]>();
        for (var mask = 0; mask < 1 << 14; mask++)
        {
            var bits = Enumerable.Range(0, 14).Select(i => (mask & (1 << i)) != 0).ToArray();
            var e = knapsack.Evaluate(Evolution.Genome.Create(knapsack.Layout, [bits]));
            if (e.IsFeasible)
            {
                all.Add(e.Objectives);
            }
        }

        var ranks = NonDominatedSorting.Rank([.. all.Select(Knapsack.Minimized)]);
        var expected = all.Where((_, i) => ranks[i] == 0).Select(p => (p[0], p[1])).Distinct().Order().ToList();
        Assert.Equal(expected, knapsack.ExactFront().Select(p => (p[0], p[1])).Order());
    }

    internal static Nsga2Settings Settings(ulong seed, DriverMode mode) => new()
    {
        PopulationSize = 100,
        Seed = seed,
        Mode = mode,
        InitialDensities = [0.1, 0.2, 0.3, 0.4, 0.5],
        IncludeFullGenome = false,
        Termination = new TerminationSpec { MaxEvaluations = 15_000 },
    };
}
