namespace PrunerCluster.Evolution;

/// <summary>Pareto and constrained domination on objective vectors in minimization form.</summary>
public static class Dominance
{
    /// <summary>True when <paramref name="a"/> is no worse in every objective and better in at least one.</summary>
    public static bool Dominates(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var better = false;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] > b[i])
            {
                return false;
            }

            better |= a[i] < b[i];
        }

        return better;
    }

    /// <summary>-1 when a dominates b, 1 when b dominates a, 0 otherwise.</summary>
    public static int Compare(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var aBetter = false;
        var bBetter = false;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] < b[i])
            {
                aBetter = true;
            }
            else if (a[i] > b[i])
            {
                bBetter = true;
            }
        }

        return aBetter == bBetter ? 0 : aBetter ? -1 : 1;
    }

    /// <summary>
    /// Constrained domination (Deb 2002): a feasible solution beats an infeasible one, of two infeasible ones the smaller
    /// violation wins, of two feasible ones Pareto domination decides. Returns -1 (a wins), 1 (b wins) or 0.
    /// </summary>
    public static int CompareConstrained(ReadOnlySpan<double> a, double violationA, ReadOnlySpan<double> b, double violationB)
    {
        if (violationA > 0 || violationB > 0)
        {
            return violationA < violationB ? -1 : violationA > violationB ? 1 : 0;
        }

        return Compare(a, b);
    }
}
