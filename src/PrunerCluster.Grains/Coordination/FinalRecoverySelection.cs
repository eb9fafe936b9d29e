using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// Which Pareto members final recovery takes (most accurate first, up to <see cref="FinalRecoverySettings.MaxMembers"/>,
/// spread over the front's MACs), and which of them stay on the final front once recovered and re-measured.
/// </summary>
public static class FinalRecoverySelection
{
    /// <summary>
    /// The least share of the unpruned model's MACs a member must save to be recovered: the unpruned row, always recovered,
    /// already stands for a member that saves less, and recovering it would take one of <see cref="FinalRecoverySettings.MaxMembers"/>.
    /// </summary>
    public const double MinMacSaving = 0.05;

    /// <summary>
    /// The members to recover, most accurate first (ties by candidate id): those within <see cref="FinalRecoverySettings.MaxDropPoints"/>
    /// (a member without an accuracy drop is then left out), and, when they outnumber <see cref="FinalRecoverySettings.MaxMembers"/>,
    /// that many spread evenly over log MACs from the costliest to the cheapest (by position from the most accurate to the least
    /// when a member has no MACs). All when MaxMembers is 0. Given <paramref name="unprunedMacs"/>, a member that saves less
    /// than <see cref="MinMacSaving"/> of them is left out.
    /// </summary>
    public static IReadOnlyList<ParetoEntry> Members(IReadOnlyList<ParetoEntry> front, FinalRecoverySettings recovery, double? unprunedMacs = null)
    {
        ArgumentNullException.ThrowIfNull(front);
        ArgumentNullException.ThrowIfNull(recovery);
        if (!recovery.Enabled)
        {
            return [];
        }

        var ordered = front
            .Where(e => recovery.MaxDropPoints is not { } max || (e.Metrics.TryGetValue(MetricNames.AccuracyDrop, out var drop) && drop <= max + 1e-9))
            .Where(e => unprunedMacs is not ({ } full and > 0) || !e.Metrics.TryGetValue(MetricNames.Macs, out var macs) || macs < full * (1 - MinMacSaving))
            .OrderByDescending(e => e.Metrics.GetValueOrDefault(MetricNames.Accuracy))
            .ThenBy(e => e.CandidateId)
            .ToList();
        var count = recovery.MaxMembers;
        if (count <= 0 || ordered.Count <= count)
        {
            return ordered;
        }

        if (count == 1)
        {
            return [ordered[0]];
        }

        if (ordered.All(e => e.Metrics.TryGetValue(MetricNames.Macs, out var macs) && macs > 0 && double.IsFinite(macs)))
        {
            return SpreadByCost(ordered, count);
        }

        return [.. Enumerable.Range(0, count).Select(i => (int)Math.Round((double)i * (ordered.Count - 1) / (count - 1), MidpointRounding.AwayFromZero)).Distinct().Select(i => ordered[i])];
    }

    /// <summary>
    /// <paramref name="count"/> members spread evenly over log MACs from the costliest to the cheapest candidate (both kept), each
    /// target taking the nearest member not yet taken, returned most accurate first. A front crowded at one end (many
    /// nearly unpruned members, say) then still gets recoveries across the whole range of compression.
    /// </summary>
    private static List<ParetoEntry> SpreadByCost(List<ParetoEntry> ordered, int count)
    {
        var cost = ordered.Select(e => Math.Log(e.Metrics[MetricNames.Macs])).ToArray();
        var (low, high) = (cost.Min(), cost.Max());
        var taken = new bool[ordered.Count];
        for (var i = 0; i < count; i++)
        {
            var target = high - ((high - low) * i / (count - 1));
            var best = -1;
            for (var j = 0; j < ordered.Count; j++)
            {
                if (!taken[j] && (best < 0 || Math.Abs(cost[j] - target) < Math.Abs(cost[best] - target)))
                {
                    best = j;
                }
            }

            taken[best] = true;
        }

        return [.. ordered.Where((_, j) => taken[j])];
    }

    /// <summary>
    /// Which rows stay non-dominated under <paramref name="objectives"/> after re-measurement (a row missing an objective
    /// metric is dominated). A member whose re-measured metrics are dominated leaves the final front.
    /// </summary>
    public static bool[] NonDominated(IReadOnlyList<ObjectiveDefinition> objectives, IReadOnlyList<IReadOnlyDictionary<string, double>> rows)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(rows);
        var points = rows.Select(r => objectives.All(o => r.TryGetValue(o.Metric, out var v) && double.IsFinite(v))
            ? objectives.Select(o => o.Direction == ObjectiveDirection.Maximize ? -r[o.Metric] : r[o.Metric]).ToArray()
            : null).ToArray();
        var result = new bool[rows.Count];
        for (var i = 0; i < points.Length; i++)
        {
            result[i] = points[i] is { } p && !points.Where((q, j) => j != i && q is not null && Dominates(q, p)).Any();
        }

        return result;
    }

    private static bool Dominates(double[] a, double[] b)
    {
        var strictly = false;
        for (var k = 0; k < a.Length; k++)
        {
            if (a[k] > b[k])
            {
                return false;
            }

            strictly |= a[k] < b[k];
        }

        return strictly;
    }
}
