namespace PrunerCluster.Evolution;

/// <summary>Helpers to put objective vectors on a common scale before computing indicators.</summary>
public static class Normalization
{
    public static double[] Ideal(IReadOnlyList<double[]> points) => Extreme(points, Math.Min);

    public static double[] Nadir(IReadOnlyList<double[]> points) => Extreme(points, Math.Max);

    /// <summary>(p - ideal) / (nadir - ideal) per objective; an objective with zero range maps to 0.</summary>
    public static List<double[]> Normalize(IReadOnlyList<double[]> points, double[] ideal, double[] nadir)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(ideal);
        ArgumentNullException.ThrowIfNull(nadir);
        if (ideal.Length != nadir.Length)
        {
            throw new ArgumentException("Ideal and nadir points have different lengths.", nameof(nadir));
        }

        return points.Select(p =>
        {
            var q = new double[p.Length];
            for (var k = 0; k < p.Length; k++)
            {
                var range = nadir[k] - ideal[k];
                q[k] = range > 0 ? (p[k] - ideal[k]) / range : 0;
            }

            return q;
        }).ToList();
    }

    /// <summary>Objective vectors in minimization form: maximized objectives are negated.</summary>
    public static double[] ToMinimization(IReadOnlyList<double> objectives, IReadOnlyList<Direction> directions)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(directions);
        if (objectives.Count != directions.Count)
        {
            throw new ArgumentException($"{objectives.Count} objective values for {directions.Count} directions.", nameof(directions));
        }

        var result = new double[objectives.Count];
        for (var k = 0; k < result.Length; k++)
        {
            result[k] = directions[k] == Direction.Maximize ? -objectives[k] : objectives[k];
        }

        return result;
    }

    private static double[] Extreme(IReadOnlyList<double[]> points, Func<double, double, double> pick)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
        {
            throw new ArgumentException("At least one point is needed.", nameof(points));
        }

        var result = (double[])points[0].Clone();
        foreach (var p in points)
        {
            for (var k = 0; k < result.Length; k++)
            {
                result[k] = pick(result[k], p[k]);
            }
        }

        return result;
    }
}
