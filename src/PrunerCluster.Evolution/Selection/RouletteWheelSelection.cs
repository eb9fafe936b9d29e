namespace PrunerCluster.Evolution;

/// <summary>
/// Roulette-wheel selection on a scalarized fitness: objectives (minimization form) are normalized to [0, 1] over the
/// feasible members, fitness = 1 - mean + 0.01 (every feasible member keeps a chance); infeasible members get 1e-6 / (1 + violation).
/// </summary>
public sealed class RouletteWheelSelection : ISelection
{
    public int Select(IReadOnlyList<SelectionInfo> population, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(random);
        if (population.Count == 0)
        {
            throw new ArgumentException("Cannot select from an empty population.", nameof(population));
        }

        var fitness = Fitness(population);
        var total = fitness.Sum();
        var target = random.NextDouble() * total;
        var cumulative = 0.0;
        for (var i = 0; i < fitness.Length; i++)
        {
            cumulative += fitness[i];
            if (target < cumulative)
            {
                return i;
            }
        }

        return fitness.Length - 1;
    }

    public static double[] Fitness(IReadOnlyList<SelectionInfo> population)
    {
        ArgumentNullException.ThrowIfNull(population);
        var m = population[0].Objectives.Length;
        var min = Enumerable.Repeat(double.PositiveInfinity, m).ToArray();
        var max = Enumerable.Repeat(double.NegativeInfinity, m).ToArray();
        foreach (var p in population)
        {
            if (p.Violation > 0)
            {
                continue;
            }

            for (var k = 0; k < m; k++)
            {
                min[k] = Math.Min(min[k], p.Objectives[k]);
                max[k] = Math.Max(max[k], p.Objectives[k]);
            }
        }

        var fitness = new double[population.Count];
        for (var i = 0; i < fitness.Length; i++)
        {
            var p = population[i];
            if (p.Violation > 0)
            {
                fitness[i] = 1e-6 / (1 + p.Violation);
                continue;
            }

            var sum = 0.0;
            for (var k = 0; k < m; k++)
            {
                var range = max[k] - min[k];
                sum += range > 0 ? (p.Objectives[k] - min[k]) / range : 0;
            }

            fitness[i] = 1 - (sum / m) + 0.01;
        }

        return fitness;
    }
}
