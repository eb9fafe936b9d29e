using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using Direction = PrunerCluster.Evolution.Direction;
using ObjectiveSpec = PrunerCluster.Evolution.ObjectiveSpec;

namespace PrunerCluster.Engine.Backends;

/// <summary>
/// Classic magnitude (L1) pruning masks in the channelBits encoding: every group keeps its <c>ceil(keepRatio * units)</c>
/// most important units by the prepared importance order, then the layout's minimum per group is restored. Used by the
/// uniform-pruning baseline (every group at once), the per-layer sensitivity sweep (one group alone) and the quality
/// benchmark's uniform arm.
/// </summary>
public static class MagnitudeMasks
{
    /// <summary>Every group pruned to the same keep ratio.</summary>
    public static Genome Uniform(GenomeLayout layout, IReadOnlyDictionary<string, double[]> importance, double keepRatio) =>
        Create(layout, importance, keepRatio);

    /// <summary>Only <paramref name="group"/> pruned to <paramref name="keepRatio"/>; every other group kept whole.</summary>
    public static Genome SingleGroup(GenomeLayout layout, IReadOnlyDictionary<string, double[]> importance, string group, double keepRatio)
    {
        ArgumentNullException.ThrowIfNull(importance);
        if (!importance.TryGetValue(group, out var scores))
        {
            throw new ArgumentException($"group '{group}' has no importance order; known groups: {string.Join(", ", importance.Keys)}", nameof(group));
        }

        return Create(layout, new Dictionary<string, double[]>(StringComparer.Ordinal) { [group] = scores }, keepRatio);
    }

    private static Genome Create(GenomeLayout layout, IReadOnlyDictionary<string, double[]> importance, double keepRatio)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(importance);
        var problem = new Problem(layout, [new ObjectiveSpec(MetricNames.Accuracy, Direction.Maximize)]);
        return problem.Repair(RankingInitialization.Create(layout, new SeedRanking("l1", importance, [keepRatio]), keepRatio));
    }
}
