namespace PrunerCluster.Grains.Simulation;

/// <summary>The share of slot-time each experiment is entitled to: weighted max-min (water-filling) of the slots, each bounded by its cap.</summary>
public static class SimulationShares
{
    public static double[] Entitled(IReadOnlyList<double> weights, int cap, int totalSlots)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var slots = new double[weights.Count];
        var open = Enumerable.Range(0, weights.Count).ToList();
        double remaining = totalSlots;
        while (open.Count > 0 && remaining > 1e-9)
        {
            var weight = open.Sum(i => weights[i]);
            var saturated = cap > 0 ? open.Where(i => cap - slots[i] <= remaining * weights[i] / weight).ToList() : [];
            if (saturated.Count == 0)
            {
                open.ForEach(i => slots[i] += remaining * weights[i] / weight);
                break;
            }

            foreach (var i in saturated)
            {
                remaining -= cap - slots[i];
                slots[i] = cap;
                open.Remove(i);
            }
        }

        var sum = slots.Sum();
        return [.. slots.Select(s => sum > 0 ? s / sum : 0)];
    }
}
