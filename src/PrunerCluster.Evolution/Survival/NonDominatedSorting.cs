namespace PrunerCluster.Evolution;

/// <summary>
/// Fast non-dominated sorting (minimization). Every variant first sorts the points lexicographically and merges exact
/// duplicates (which never dominate each other and so share a rank); a point can then only be dominated by points
/// before it, and the front of each point is found by binary search over the fronts built so far (Jensen 2003;
/// Zhang et al. 2015, ENS-BS). Two objectives: each front is represented by its last point, O(N log N).
/// Three objectives: each front keeps a 2-D staircase of its (f2, f3) projections, O(N log^2 N) queries.
/// More objectives: ENS-BS, a scan of the candidate front per probe.
/// </summary>
public static class NonDominatedSorting
{
    /// <summary>0-based Pareto rank of every point (0 = non-dominated).</summary>
    public static int[] Rank(IReadOnlyList<double[]> points)
    {
        var m = Validate(points);
        if (points.Count == 0)
        {
            return [];
        }

        var order = LexicographicOrder(points);
        return m switch
        {
            1 => RankOne(points, order),
            2 => RankTwo(points, order),
            3 => RankThree(points, order),
            _ => RankMany(points, order),
        };
    }

    /// <summary>The fronts (lists of point indices, ascending) in rank order.</summary>
    public static List<List<int>> Fronts(IReadOnlyList<double[]> points) => GroupByRank(Rank(points));

    public static List<List<int>> GroupByRank(IReadOnlyList<int> ranks)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        var fronts = new List<List<int>>();
        for (var i = 0; i < ranks.Count; i++)
        {
            while (fronts.Count <= ranks[i])
            {
                fronts.Add([]);
            }

            fronts[ranks[i]].Add(i);
        }

        return fronts;
    }

    internal static int Validate(IReadOnlyList<double[]> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
        {
            return 0;
        }

        var m = points[0]?.Length ?? 0;
        if (m == 0)
        {
            throw new ArgumentException("Points need at least one objective.", nameof(points));
        }

        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            if (p is null || p.Length != m)
            {
                throw new ArgumentException($"Point {i} has {p?.Length ?? 0} objectives, expected {m}.", nameof(points));
            }

            foreach (var v in p)
            {
                if (double.IsNaN(v))
                {
                    throw new ArgumentException($"Point {i} has a NaN objective.", nameof(points));
                }
            }
        }

        return m;
    }

    internal static int[] LexicographicOrder(IReadOnlyList<double[]> points)
    {
        var order = new int[points.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var array = points as double[][] ?? [.. points];
        Array.Sort(order, (a, b) =>
        {
            var pa = array[a];
            var pb = array[b];
            for (var k = 0; k < pa.Length; k++)
            {
                var c = pa[k].CompareTo(pb[k]);
                if (c != 0)
                {
                    return c;
                }
            }

            return a.CompareTo(b);
        });
        return order;
    }

    private static bool SameAs(double[] a, double[] b) => a.AsSpan().SequenceEqual(b);

    private static int[] RankOne(IReadOnlyList<double[]> points, int[] order)
    {
        var ranks = new int[points.Count];
        var rank = 0;
        for (var i = 1; i < order.Length; i++)
        {
            if (points[order[i]][0] != points[order[i - 1]][0])
            {
                rank++;
            }

            ranks[order[i]] = rank;
        }

        return ranks;
    }

    private static int[] RankTwo(IReadOnlyList<double[]> points, int[] order)
    {
        var ranks = new int[points.Count];
        var lastF1 = new List<double>();
        for (var i = 0; i < order.Length; i++)
        {
            var p = points[order[i]];
            if (i > 0 && SameAs(p, points[order[i - 1]]))
            {
                ranks[order[i]] = ranks[order[i - 1]];
                continue;
            }

            var lo = 0;
            var hi = lastF1.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (lastF1[mid] <= p[1])
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            if (lo == lastF1.Count)
            {
                lastF1.Add(p[1]);
            }
            else
            {
                lastF1[lo] = p[1];
            }

            ranks[order[i]] = lo;
        }

        return ranks;
    }

    private static int[] RankThree(IReadOnlyList<double[]> points, int[] order)
    {
        var ranks = new int[points.Count];
        var fronts = new List<Staircase>();
        for (var i = 0; i < order.Length; i++)
        {
            var p = points[order[i]];
            if (i > 0 && SameAs(p, points[order[i - 1]]))
            {
                ranks[order[i]] = ranks[order[i - 1]];
                continue;
            }

            var lo = 0;
            var hi = fronts.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (fronts[mid].WeaklyDominates(p[1], p[2]))
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            if (lo == fronts.Count)
            {
                fronts.Add(new Staircase());
            }

            fronts[lo].Insert(p[1], p[2]);
            ranks[order[i]] = lo;
        }

        return ranks;
    }

    private static int[] RankMany(IReadOnlyList<double[]> points, int[] order)
    {
        var ranks = new int[points.Count];
        var fronts = new List<List<double[]>>();
        for (var i = 0; i < order.Length; i++)
        {
            var p = points[order[i]];
            if (i > 0 && SameAs(p, points[order[i - 1]]))
            {
                ranks[order[i]] = ranks[order[i - 1]];
                continue;
            }

            var lo = 0;
            var hi = fronts.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (AnyDominates(fronts[mid], p))
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            if (lo == fronts.Count)
            {
                fronts.Add([]);
            }

            fronts[lo].Add(p);
            ranks[order[i]] = lo;
        }

        return ranks;
    }

    private static bool AnyDominates(List<double[]> front, double[] p)
    {
        for (var j = front.Count - 1; j >= 0; j--)
        {
            if (Dominates(front[j], p))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Dominates(double[] a, double[] b) => Dominance.Dominates(a, b);

    /// <summary>
    /// Mutually non-dominated 2-D points sorted by x ascending (y strictly descending). Query: is (x, y) weakly dominated
    /// by a member; insert removes the members the new point weakly dominates.
    /// </summary>
    private sealed class Staircase
    {
        private double[] _x = new double[4];
        private double[] _y = new double[4];
        private int _count;

        public bool WeaklyDominates(double x, double y)
        {
            var i = UpperBound(x) - 1;
            return i >= 0 && _y[i] <= y;
        }

        public void Insert(double x, double y)
        {
            var pos = LowerBound(x);
            var end = pos;
            while (end < _count && _y[end] >= y)
            {
                end++;
            }

            var removed = end - pos;
            if (removed == 0)
            {
                if (_count == _x.Length)
                {
                    Array.Resize(ref _x, _x.Length * 2);
                    Array.Resize(ref _y, _y.Length * 2);
                }

                Array.Copy(_x, pos, _x, pos + 1, _count - pos);
                Array.Copy(_y, pos, _y, pos + 1, _count - pos);
                _count++;
            }
            else if (removed > 1)
            {
                Array.Copy(_x, end, _x, pos + 1, _count - end);
                Array.Copy(_y, end, _y, pos + 1, _count - end);
                _count -= removed - 1;
            }

            _x[pos] = x;
            _y[pos] = y;
        }

        private int LowerBound(double x)
        {
            var lo = 0;
            var hi = _count;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (_x[mid] < x)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }

        private int UpperBound(double x)
        {
            var lo = 0;
            var hi = _count;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (_x[mid] <= x)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}
