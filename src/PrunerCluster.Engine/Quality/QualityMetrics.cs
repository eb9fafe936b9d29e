using PrunerCluster.Evolution;

namespace PrunerCluster.Engine.Quality;

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

    /// <summary>
    /// The yardstick: <see cref="Hypervolume"/> over the recovered members, x = MACs / unpruned, y = test accuracy
    /// drop in points against the unpruned model recovered the same way.
    /// </summary>
    public static double RecoveredHypervolume(IEnumerable<RecoveredPoint> recovered, QualityReference reference)
    {
        ArgumentNullException.ThrowIfNull(recovered);
        ArgumentNullException.ThrowIfNull(reference);
        return Hypervolume(recovered.Select(r => (r.Macs / reference.Macs, (reference.TestAccuracyRecovered - r.TestAccuracy) * 100)));
    }

    /// <summary>
    /// Hypervolume in the space the search optimises: x = MACs ratio, y = latency ratio, z = validation drop in points
    /// over 10, all minimised, reference point (1, 1, 1), same clipping as <see cref="Hypervolume"/>.
    /// </summary>
    public static double Hypervolume3D(IEnumerable<(double MacsRatio, double LatencyRatio, double DropPoints)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var normalised = points
            .Where(p => double.IsFinite(p.MacsRatio) && double.IsFinite(p.LatencyRatio) && double.IsFinite(p.DropPoints))
            .Select(p => new[] { p.MacsRatio, p.LatencyRatio, Math.Max(0, p.DropPoints) / DropScalePoints })
            .Where(p => p[0] < 1 && p[1] < 1 && p[2] < 1)
            .ToList();
        return normalised.Count == 0 ? 0 : Evolution.Hypervolume.Compute3D(normalised, [1.0, 1.0, 1.0]);
    }

    /// <summary>A method run with its three hypervolumes computed from its successful points against <paramref name="reference"/>.</summary>
    public static MethodRun Scored(MethodRun run, QualityReference reference)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(reference);
        var ok = run.Points.Where(p => p.Succeeded).ToList();
        double Drop(QualityPoint p) => (reference.ValidationAccuracy - p.Accuracy) * 100;
        return run with
        {
            HypervolumeMacs = Hypervolume(ok.Select(p => (p.Macs / reference.Macs, Drop(p)))),
            HypervolumeLatency = Hypervolume(ok.Select(p => (p.LatencyMs / reference.LatencyMs, Drop(p)))),
            HypervolumeAll = Hypervolume3D(ok.Select(p => (p.Macs / reference.Macs, p.LatencyMs / reference.LatencyMs, Drop(p)))),
        };
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
