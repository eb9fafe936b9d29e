namespace PrunerCluster.Evolution;

/// <summary>
/// The promotion rule of asynchronous successive halving (ASHA, Li et al. 2020), multi-objective: a rung's results are
/// ordered feasible first by non-dominated rank, within a rank by exclusive hypervolume contribution (descending; objectives
/// scaled to [0, 1] over the rung, reference point 1.1 in each), then
/// infeasible by violation; ties by candidate id. Those of the first floor(n / eta) not promoted yet are promoted now. No
/// barrier: called whenever a result arrives, it promotes as soon as a candidate is in the top fraction of what the rung
/// has seen so far. Unlike plain ASHA, a rung never promotes more than floor(n / eta) in all: an evolving population
/// keeps producing better candidates, and without the cap the top fraction turns over so often that most of a rung climbs.
/// Hypervolume contribution rather than crowding distance, because crowding gives the extremes of a front infinite
/// worth, and at a cheap rung the cheapest extreme is usually a mask that no fine-tuning will bring back.
/// </summary>
public static class AsyncPromotion
{
    private const int MonteCarloSamples = 20_000;

    public static IReadOnlyList<long> Select(IReadOnlyList<RungEntry> rung, int eta)
    {
        ArgumentNullException.ThrowIfNull(rung);
        ArgumentOutOfRangeException.ThrowIfLessThan(eta, 2);
        var quota = rung.Count / eta;
        var room = quota - rung.Count(e => e.Promoted);
        if (room <= 0)
        {
            return [];
        }

        return [.. Order(rung).Take(quota).Where(e => !e.Promoted).Take(room).Select(e => e.CandidateId)];
    }

    /// <summary>The rung's results best first.</summary>
    public static IReadOnlyList<RungEntry> Order(IReadOnlyList<RungEntry> rung)
    {
        ArgumentNullException.ThrowIfNull(rung);
        var byId = rung.OrderBy(e => e.CandidateId).ToList();
        var feasible = byId.Where(e => e.Violation == 0).ToList();
        var ordered = new List<RungEntry>(byId.Count);
        var points = Normalized(feasible.Select(e => e.Minimized).ToList());
        double[] reference = [.. Enumerable.Repeat(1.1, points.Count == 0 ? 0 : points[0].Length)];
        foreach (var front in NonDominatedSorting.Fronts(points))
        {
            var contribution = Contributions(front.Select(i => points[i]).ToList(), reference);
            ordered.AddRange(Enumerable.Range(0, front.Count)
                .OrderByDescending(k => contribution[k])
                .ThenBy(k => feasible[front[k]].CandidateId)
                .Select(k => feasible[front[k]]));
        }

        ordered.AddRange(byId.Where(e => e.Violation != 0).OrderBy(e => e.Violation).ThenBy(e => e.CandidateId));
        return ordered;
    }

    /// <summary>Each point's exclusive hypervolume contribution within its front.</summary>
    public static double[] Contributions(IReadOnlyList<double[]> front, double[] reference)
    {
        ArgumentNullException.ThrowIfNull(front);
        ArgumentNullException.ThrowIfNull(reference);
        var total = Hypervolume.Compute(front, reference, MonteCarloSamples);
        var result = new double[front.Count];
        for (var i = 0; i < front.Count; i++)
        {
            var others = front.Where((_, k) => k != i).ToList();
            result[i] = total - (others.Count == 0 ? 0 : Hypervolume.Compute(others, reference, MonteCarloSamples));
        }

        return result;
    }

    /// <summary>Each objective scaled to [0, 1] between the rung's ideal and nadir (an objective with no range maps to 0), so no unit outweighs another.</summary>
    private static List<double[]> Normalized(List<double[]> points)
    {
        if (points.Count == 0)
        {
            return points;
        }

        var ideal = Normalization.Ideal(points);
        var nadir = Normalization.Nadir(points);
        return [.. points.Select(p => p.Select((v, k) => nadir[k] > ideal[k] ? (v - ideal[k]) / (nadir[k] - ideal[k]) : 0).ToArray())];
    }
}
