namespace PrunerCluster.Evolution;

/// <summary>Deb's textbook fast non-dominated sort, O(M N^2): the reference oracle for <see cref="NonDominatedSorting"/>.</summary>
public static class NaiveNonDominatedSorting
{
    public static int[] Rank(IReadOnlyList<double[]> points)
    {
        NonDominatedSorting.Validate(points);
        var n = points.Count;
        var dominatedBy = new int[n];
        var dominates = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            dominates[i] = [];
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var c = Dominance.Compare(points[i], points[j]);
                if (c < 0)
                {
                    dominates[i].Add(j);
                    dominatedBy[j]++;
                }
                else if (c > 0)
                {
                    dominates[j].Add(i);
                    dominatedBy[i]++;
                }
            }
        }

        var ranks = new int[n];
        var current = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (dominatedBy[i] == 0)
            {
                current.Add(i);
            }
        }

        var rank = 0;
        while (current.Count > 0)
        {
            var next = new List<int>();
            foreach (var i in current)
            {
                ranks[i] = rank;
                foreach (var j in dominates[i])
                {
                    if (--dominatedBy[j] == 0)
                    {
                        next.Add(j);
                    }
                }
            }

            current = next;
            rank++;
        }

        return ranks;
    }
}
