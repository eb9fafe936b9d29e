using PrunerCluster.Evolution;

namespace PrunerCluster.Cli.Quality;

/// <summary>
/// The benchmark's fixed indicators. Hypervolume is computed in a normalised 2-D space, both axes minimised:
/// x = cost ratio (MACs or latency over the unpruned model's), y = validation accuracy drop in points over 10;
/// drops below 0 count as 0. The reference point is (1, 1): the unpruned cost and a 10-point drop, so the indicator lies in
/// [0, 1] and only masks cheaper than the unpruned model and within 10 points contribute.
/// </summary>
public static class QualityMetrics
{
    public const double DropScalePoints = 10.0;

    public static double Hypervolume(IEnumerable<(double CostRatio, double DropPoints)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var normalised = points
            .Where(p => double.IsFinite(p.CostRatio) && double.IsFinite(p.DropPoints))
            .Select(p => new[] { p.CostRatio, Math.Max(0, p.DropPoints) / DropScalePoints })
            .Where(p => p[0] < 1 && p[1] < 1)
            .ToList();
        return normalised.Count == 0 ? 0 : Evolution.Hypervolume.Compute2D(normalised, [1.0, 1.0]);
    }

    /// <summary>Indices of the points non-dominated in (maximise accuracy, minimise cost).</summary>
    public static IReadOnlyList<int> Front(IReadOnlyList<(double Accuracy, double Cost)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var front = new List<int>();
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var dominated = false;
            for (var j = 0; j < points.Count && !dominated; j++)
            {
                var q = points[j];
                dominated = j != i && q.Accuracy >= p.Accuracy && q.Cost <= p.Cost && (q.Accuracy > p.Accuracy || q.Cost < p.Cost);
            }

            if (!dominated)
            {
                front.Add(i);
            }
        }

        return front;
    }

    /// <summary>Largest reference/cost among members whose accuracy is within <paramref name="points"/> of the reference; 1 when none is.</summary>
    public static double BestReduction(IEnumerable<(double Accuracy, double Cost)> members, double referenceAccuracy, double referenceCost, double points)
    {
        ArgumentNullException.ThrowIfNull(members);
        var best = 1.0;
        foreach (var (accuracy, cost) in members)
        {
            if ((referenceAccuracy - accuracy) * 100 <= points + 1e-9 && cost > 0)
            {
                best = Math.Max(best, referenceCost / cost);
            }
        }

        return best;
    }

    public static (double Mean, double StdDev) MeanStd(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        var mean = values.Average();
        var sd = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, sd);
    }
}
