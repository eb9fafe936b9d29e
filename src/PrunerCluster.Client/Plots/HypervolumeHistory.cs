using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Client.Plots;

/// <summary>
/// Hypervolume after each completed evaluation (in completion order), with every objective scaled to [0, 1] over this
/// run's successful evaluations (best 0, worst 1) and the reference point at 1.1: comparable within a run, not across runs.
/// </summary>
public static class HypervolumeHistory
{
    public sealed record Point(int Evaluations, double Hypervolume);

    public static IReadOnlyList<Point> Compute(IReadOnlyList<ObjectiveDefinition> objectives, IReadOnlyList<EvaluationRecord> evaluations, int maxPoints = 200)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(evaluations);
        var ordered = evaluations.OrderBy(e => e.CompletedAt).ThenBy(e => e.CandidateId).ToArray();
        var usable = ordered.Where(e => e.Succeeded && objectives.All(o => e.Metrics.TryGetValue(o.Metric, out var v) && double.IsFinite(v))).ToArray();
        if (objectives.Count == 0 || usable.Length == 0)
        {
            return [];
        }

        var low = new double[objectives.Count];
        var high = new double[objectives.Count];
        for (var k = 0; k < objectives.Count; k++)
        {
            var values = usable.Select(e => Minimized(objectives[k], e)).ToArray();
            low[k] = values.Min();
            high[k] = values.Max();
        }

        double[] Normalize(EvaluationRecord e) => objectives.Select((o, k) => high[k] > low[k] ? (Minimized(o, e) - low[k]) / (high[k] - low[k]) : 0).ToArray();
        var reference = Enumerable.Repeat(1.1, objectives.Count).ToArray();
        var step = Math.Max(1, ordered.Length / maxPoints);
        var points = new List<double[]>();
        var result = new List<Point>();
        for (var i = 0; i < ordered.Length; i++)
        {
            var e = ordered[i];
            if (e.Succeeded && objectives.All(o => e.Metrics.TryGetValue(o.Metric, out var v) && double.IsFinite(v)))
            {
                points.Add(Normalize(e));
            }

            if ((i + 1) % step == 0 || i == ordered.Length - 1)
            {
                result.Add(new Point(i + 1, points.Count == 0 ? 0 : Hypervolume.Compute(points, reference, monteCarloSamples: 20_000, seed: 1)));
            }
        }

        return result;
    }

    private static double Minimized(ObjectiveDefinition objective, EvaluationRecord e) =>
        objective.Direction == ObjectiveDirection.Maximize ? -e.Metrics[objective.Metric] : e.Metrics[objective.Metric];
}
