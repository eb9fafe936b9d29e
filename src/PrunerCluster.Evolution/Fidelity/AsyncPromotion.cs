namespace PrunerCluster.Evolution;

/// <summary>
/// The promotion rule of asynchronous successive halving (ASHA, Li et al. 2020), multi-objective: a rung's results are
/// ordered as NSGA-II survival orders them (feasible by non-dominated rank, a rank by crowding distance descending,
/// then infeasible by violation; ties by candidate id), and those of the first floor(n / eta) not promoted yet are
/// promoted now. No barrier: called whenever a result arrives, it promotes as soon as a candidate is in the top fraction
/// of what the rung has seen so far. Unlike plain ASHA, a rung never promotes more than floor(n / eta) in all: an
/// evolving population keeps producing better candidates, and without the cap the top fraction turns over so often that
/// most of a rung climbs.
/// </summary>
public static class AsyncPromotion
{
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
        var points = feasible.Select(e => e.Minimized).ToList();
        foreach (var front in NonDominatedSorting.Fronts(points))
        {
            var crowding = CrowdingDistance.Compute(points, front);
            ordered.AddRange(Enumerable.Range(0, front.Count)
                .OrderByDescending(k => crowding[k])
                .ThenBy(k => feasible[front[k]].CandidateId)
                .Select(k => feasible[front[k]]));
        }

        ordered.AddRange(byId.Where(e => e.Violation != 0).OrderBy(e => e.Violation).ThenBy(e => e.CandidateId));
        return ordered;
    }
}
