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
        var sorted = new List<Individual>(pool);
        sorted.Sort(ById);
        var feasible = new List<Individual>(sorted.Count);
        var infeasible = new List<Individual>();
        foreach (var ind in sorted)
        {
            (ind.IsFeasible ? feasible : infeasible).Add(ind);
        }

        var survivors = new List<Individual>(Math.Min(size, sorted.Count));
        var points = new List<double[]>(feasible.Count);
        foreach (var ind in feasible)
        {
            points.Add(ind.Minimized);
        }

        var fronts = NonDominatedSorting.Fronts(points);
        for (var r = 0; r < fronts.Count && survivors.Count < size; r++)
        {
            var front = fronts[r];
            if (survivors.Count + front.Count > size)
            {
                var crowding = CrowdingDistance.Compute(points, front);
                var order = Enumerable.Range(0, front.Count)
                    .OrderByDescending(k => crowding[k])
                    .ThenBy(k => feasible[front[k]].Id)
                    .Take(size - survivors.Count)
                    .Order()
                    .Select(k => front[k])
                    .ToList();
                front = order;
            }

            var frontCrowding = CrowdingDistance.Compute(points, front);
            for (var k = 0; k < front.Count; k++)
            {
                var ind = feasible[front[k]];
                ind.Rank = r;
                ind.Crowding = frontCrowding[k];
                survivors.Add(ind);
            }
        }

        if (survivors.Count < size && infeasible.Count > 0)
        {
            infeasible.Sort((a, b) => a.Violation != b.Violation ? a.Violation.CompareTo(b.Violation) : a.Id.CompareTo(b.Id));
            foreach (var ind in infeasible.Take(size - survivors.Count))
            {
                ind.Rank = int.MaxValue;
                ind.Crowding = 0;
                survivors.Add(ind);
            }
        }

        survivors.Sort(ById);
        return survivors;
    }

    /// <summary>Rank and crowding distance computed over <paramref name="members"/> alone, so they are a function of the set.</summary>
    public static void AssignRankAndCrowding(IReadOnlyList<Individual> members) => Survive(members, members.Count);

    private static int ById(Individual a, Individual b) => a.Id.CompareTo(b.Id);
}
