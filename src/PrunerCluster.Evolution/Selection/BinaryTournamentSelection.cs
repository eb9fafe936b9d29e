namespace PrunerCluster.Evolution;

/// <summary>
/// Constrained binary tournament (Deb 2002): of two distinct random members, a feasible one beats an infeasible one, the
/// smaller violation wins among infeasible ones, otherwise the lower rank, then the larger crowding distance; a full tie is
/// settled by a coin flip.
/// </summary>
public sealed class BinaryTournamentSelection : ISelection
{
    public int Select(IReadOnlyList<SelectionInfo> population, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(random);
        if (population.Count == 0)
        {
            throw new ArgumentException("Cannot select from an empty population.", nameof(population));
        }

        if (population.Count == 1)
        {
            return 0;
        }

        var a = random.NextInt(population.Count);
        var b = random.NextInt(population.Count - 1);
        if (b >= a)
        {
            b++;
        }

        var c = Compare(population[a], population[b]);
        return c < 0 ? a : c > 0 ? b : random.NextBool(0.5) ? a : b;
    }

    internal static int Compare(SelectionInfo x, SelectionInfo y)
    {
        if (x.Violation > 0 || y.Violation > 0)
        {
            return x.Violation.CompareTo(y.Violation);
        }

        if (x.Rank != y.Rank)
        {
            return x.Rank.CompareTo(y.Rank);
        }

        return y.Crowding.CompareTo(x.Crowding);
    }
}
