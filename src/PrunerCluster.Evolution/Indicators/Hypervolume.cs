namespace PrunerCluster.Evolution;

/// <summary>
/// Hypervolume dominated by a point set (minimization) and bounded by a reference point. Points that do not strictly
/// dominate the reference point contribute nothing. Exact for 1 to 3 objectives (2-D: O(n log n) sweep;
/// 3-D: sweep over the third objective with an incrementally updated 2-D staircase, O(n log n) plus array shifts);
/// Monte-Carlo estimate with an explicit seed beyond that.
/// </summary>
public static class Hypervolume
{
    public const int DefaultMonteCarloSamples = 200_000;

    public static double Compute(IReadOnlyList<double[]> points, double[] reference, int monteCarloSamples = DefaultMonteCarloSamples, ulong seed = 1)
    {
        var inside = Filter(points, reference);
        return reference.Length switch
        {
            1 => inside.Count == 0 ? 0 : reference[0] - inside.Min(p => p[0]),
            2 => Exact2D(inside, reference),
            3 => Exact3D(inside, reference),
            _ => MonteCarlo(inside, reference, monteCarloSamples, seed),
        };
    }

    public static double Compute2D(IReadOnlyList<double[]> points, double[] reference)
    {
        RequireDimensions(reference, 2);
        return Exact2D(Filter(points, reference), reference);
    }

    public static double Compute3D(IReadOnlyList<double[]> points, double[] reference)
    {
        RequireDimensions(reference, 3);
        return Exact3D(Filter(points, reference), reference);
    }

    /// <summary>Estimate from <paramref name="samples"/> uniform samples of the box between the points' ideal and the reference point.</summary>
    public static double ComputeMonteCarlo(IReadOnlyList<double[]> points, double[] reference, int samples, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        return MonteCarlo(Filter(points, reference), reference, samples, seed);
    }

    private static void RequireDimensions(double[] reference, int m)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Length != m)
        {
            throw new ArgumentException($"Expected a {m}-objective reference point, got {reference.Length}.", nameof(reference));
        }
    }

    private static List<double[]> Filter(IReadOnlyList<double[]> points, double[] reference)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Length == 0 || reference.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("The reference point needs at least one objective and finite values.", nameof(reference));
        }

        var inside = new List<double[]>(points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            if (p is null || p.Length != reference.Length)
            {
                throw new ArgumentException($"Point {i} has {p?.Length ?? 0} objectives, the reference point {reference.Length}.", nameof(points));
            }

            var ok = true;
            for (var k = 0; k < p.Length; k++)
            {
                if (double.IsNaN(p[k]))
                {
                    throw new ArgumentException($"Point {i} has a NaN objective.", nameof(points));
                }

                ok &= p[k] < reference[k];
            }

            if (ok)
            {
                inside.Add(p);
            }
        }

        return inside;
    }

    private static double Exact2D(List<double[]> points, double[] r)
    {
        points.Sort((a, b) => a[0] != b[0] ? a[0].CompareTo(b[0]) : a[1].CompareTo(b[1]));
        var area = 0.0;
        var bestY = r[1];
        foreach (var p in points)
        {
            if (p[1] < bestY)
            {
                area += (r[0] - p[0]) * (bestY - p[1]);
                bestY = p[1];
            }
        }

        return area;
    }

    private static double Exact3D(List<double[]> points, double[] r)
    {
        points.Sort((a, b) =>
        {
            var c = a[2].CompareTo(b[2]);
            c = c != 0 ? c : a[0].CompareTo(b[0]);
            return c != 0 ? c : a[1].CompareTo(b[1]);
        });
        var xs = new double[Math.Max(4, points.Count)];
        var ys = new double[xs.Length];
        var count = 0;
        var area = 0.0;
        var volume = 0.0;
        for (var i = 0; i < points.Count; i++)
        {
            var x = points[i][0];
            var y = points[i][1];
            area += Insert(xs, ys, ref count, x, y, r[0], r[1]);
            var nextZ = i + 1 < points.Count ? points[i + 1][2] : r[2];
            volume += area * (nextZ - points[i][2]);
        }

        return volume;
    }

    /// <summary>Adds (x, y) to a 2-D staircase (x ascending, y strictly descending) and returns the area it adds.</summary>
    private static double Insert(double[] xs, double[] ys, ref int count, double x, double y, double rx, double ry)
    {
        var lo = 0;
        var hi = count;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (xs[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var pos = lo;
        if (pos < count && xs[pos] == x && ys[pos] <= y)
        {
            return 0;
        }

        var height = pos > 0 ? ys[pos - 1] : ry;
        if (height <= y)
        {
            return 0;
        }

        var t = x;
        var added = 0.0;
        var end = pos;
        while (end < count && ys[end] >= y)
        {
            added += (xs[end] - t) * (height - y);
            t = xs[end];
            height = ys[end];
            end++;
        }

        added += ((end < count ? xs[end] : rx) - t) * (height - y);
        var removed = end - pos;
        if (removed == 0)
        {
            Array.Copy(xs, pos, xs, pos + 1, count - pos);
            Array.Copy(ys, pos, ys, pos + 1, count - pos);
            count++;
        }
        else if (removed > 1)
        {
            Array.Copy(xs, end, xs, pos + 1, count - end);
            Array.Copy(ys, end, ys, pos + 1, count - end);
            count -= removed - 1;
        }

        xs[pos] = x;
        ys[pos] = y;
        return added;
    }

    private static double MonteCarlo(List<double[]> points, double[] r, int samples, ulong seed)
    {
        if (points.Count == 0)
        {
            return 0;
        }

        var m = r.Length;
        var ideal = new double[m];
        var boxVolume = 1.0;
        for (var k = 0; k < m; k++)
        {
            ideal[k] = points.Min(p => p[k]);
            boxVolume *= r[k] - ideal[k];
        }

        var random = new RandomSource(seed);
        var sample = new double[m];
        var hits = 0;
        for (var s = 0; s < samples; s++)
        {
            for (var k = 0; k < m; k++)
            {
                sample[k] = ideal[k] + (random.NextDouble() * (r[k] - ideal[k]));
            }

            foreach (var p in points)
            {
                var dominated = true;
                for (var k = 0; k < m && dominated; k++)
                {
                    dominated = p[k] <= sample[k];
                }

                if (dominated)
                {
                    hits++;
                    break;
                }
            }
        }

        return boxVolume * hits / samples;
    }
}
