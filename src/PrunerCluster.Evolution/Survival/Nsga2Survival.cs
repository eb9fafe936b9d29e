namespace PrunerCluster.Evolution;

/// <summary>
/// NSGA-II environmental selection with constrained domination: feasible members by non-dominated rank, the split front
/// by crowding distance (descending, then candidate id), then infeasible members by violation (then id). Fully
/// deterministic; the result is ordered by candidate id, so it does not depend on the order of the pool.
/// </summary>
internal static class Nsga2Survival
{
    public static List<Individual> Survive(IReadOnlyList<Individual> pool, int size)
    {
        var sorted = pool.OrderBy(i => i.Id).ToList();
        var feasible = sorted.Where(i => i.IsFeasible).ToList();
        var survivors = new List<Individual>(Math.Min(size, sorted.Count));

        var points = feasible.Select(i => i.Minimized).ToList();
        var fronts = NonDominatedSorting.Fronts(points);
        for (var r = 0; r < fronts.Count && survivors.Count < size; r++)
        {
            var front = fronts[r];
            if (survivors.Count + front.Count <= size)
            {
                survivors.AddRange(front.Select(k => feasible[k]));
                continue;
            }

            var crowding = CrowdingDistance.Compute(points, front);
            var order = Enumerable.Range(0, front.Count)
                .OrderByDescending(k => crowding[k])
                .ThenBy(k => feasible[front[k]].Id)
                .Take(size - survivors.Count);
            survivors.AddRange(order.Select(k => feasible[front[k]]));
        }

        if (survivors.Count < size)
        {
            survivors.AddRange(sorted.Where(i => !i.IsFeasible).OrderBy(i => i.Violation).ThenBy(i => i.Id).Take(size - survivors.Count));
        }

        survivors.Sort((a, b) => a.Id.CompareTo(b.Id));
        AssignRankAndCrowding(survivors);
        return survivors;
    }

    /// <summary>Rank and crowding distance computed over <paramref name="members"/> alone (ordered by id), so they are a function of the set.</summary>
    public static void AssignRankAndCrowding(IReadOnlyList<Individual> members)
    {
        var feasible = members.Where(i => i.IsFeasible).OrderBy(i => i.Id).ToList();
        var points = feasible.Select(i => i.Minimized).ToList();
        var fronts = NonDominatedSorting.Fronts(points);
        for (var r = 0; r < fronts.Count; r++)
        {
            var crowding = CrowdingDistance.Compute(points, fronts[r]);
            for (var k = 0; k < fronts[r].Count; k++)
            {
                feasible[fronts[r][k]].Rank = r;
                feasible[fronts[r][k]].Crowding = crowding[k];
            }
        }

        foreach (var ind in members)
        {
            if (!ind.IsFeasible)
            {
                ind.Rank = int.MaxValue;
                ind.Crowding = 0;
            }
        }
    }
}
