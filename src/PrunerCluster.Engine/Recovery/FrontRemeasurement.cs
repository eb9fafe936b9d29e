using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using TimingMetricNames = PrunerCluster.MetricNames;

namespace PrunerCluster.Engine.Recovery;

/// <summary>
/// Recomputes a search's Pareto set after its members' latency was re-timed: the re-timed figures replace the search-time
/// ones, the front is sorted again (non-dominated sorting of the evolution library, constraints first), and members that
/// are now dominated or infeasible leave it. A member whose re-timing failed keeps its search-time figures.
/// </summary>
public static class FrontRemeasurement
{
    /// <summary>The metrics a re-timing replaces (everything that comes from the timed forward passes).</summary>
    public static readonly IReadOnlyList<string> TimedMetrics =
    [
        MetricNames.LatencyMs, TimingMetricNames.LatencyP90Ms, MetricNames.Throughput, MetricNames.LatencyCiPercent,
        MetricNames.LatencyCv, MetricNames.LatencyRuns, TimingMetricNames.LatencyThreads,
    ];

    /// <summary>True when an objective or constraint of the spec depends on a timed metric, so re-timing can change the front.</summary>
    public static bool Affects(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Objectives.Any(o => IsTimed(o.Metric)) || spec.Constraints.Any(c => IsTimed(c.Metric));
    }

    public static bool IsTimed(string metric) => metric is MetricNames.LatencyMs or TimingMetricNames.LatencyP90Ms or MetricNames.Throughput;

    /// <summary>The search-time metrics with the timed ones replaced by <paramref name="retimed"/>'s (unchanged when null).</summary>
    public static IReadOnlyDictionary<string, double> Merge(IReadOnlyDictionary<string, double> search, IReadOnlyDictionary<string, double>? retimed)
    {
        ArgumentNullException.ThrowIfNull(search);
        var merged = new Dictionary<string, double>(search, StringComparer.Ordinal);
        if (retimed is null)
        {
            return merged;
        }

        foreach (var name in TimedMetrics)
        {
            if (retimed.TryGetValue(name, out var value))
            {
                merged[name] = value;
            }
            else
            {
                merged.Remove(name);
            }
        }

        return merged;
    }

    /// <summary>
    /// The front after re-measurement. <paramref name="retimed"/> holds, per entry of <paramref name="pareto"/>, the
    /// re-timing's metrics, or null where it failed.
    /// </summary>
    public static RemeasuredFront Recompute(ParetoSet pareto, IReadOnlyList<ConstraintDefinition> constraints, IReadOnlyList<IReadOnlyDictionary<string, double>?> retimed)
    {
        ArgumentNullException.ThrowIfNull(pareto);
        ArgumentNullException.ThrowIfNull(constraints);
        ArgumentNullException.ThrowIfNull(retimed);
        if (retimed.Count != pareto.Entries.Count)
        {
            throw new ArgumentException($"expected {pareto.Entries.Count} re-timings, one per Pareto member, got {retimed.Count}", nameof(retimed));
        }

        var objectives = pareto.Objectives;
        var merged = pareto.Entries.Select((e, i) => Merge(e.Metrics, retimed[i])).ToList();
        var reasons = new string?[merged.Count];
        var points = new double[]?[merged.Count];
        for (var i = 0; i < merged.Count; i++)
        {
            var missing = objectives.FirstOrDefault(o => !merged[i].TryGetValue(o.Metric, out var v) || !double.IsFinite(v));
            var violated = constraints.FirstOrDefault(c => !merged[i].TryGetValue(c.Metric, out var v) || !Satisfied(c, v));
            if (missing is not null)
            {
                reasons[i] = $"no {missing.Metric} after re-measurement";
            }
            else if (violated is not null)
            {
                reasons[i] = $"violates {violated.Metric} {(violated.Operator == ConstraintOperator.LessOrEqual ? "<=" : ">=")} {violated.Threshold.ToString("G", System.Globalization.CultureInfo.InvariantCulture)} after re-measurement";
            }
            else
            {
                points[i] = [.. objectives.Select(o => o.Direction == ObjectiveDirection.Maximize ? -merged[i][o.Metric] : merged[i][o.Metric])];
            }
        }

        var feasible = Enumerable.Range(0, merged.Count).Where(i => points[i] is not null).ToList();
        var ranks = feasible.Count == 0 ? [] : NonDominatedSorting.Rank([.. feasible.Select(i => points[i]!)]);
        for (var k = 0; k < feasible.Count; k++)
        {
            if (ranks[k] == 0)
            {
                continue;
            }

            var i = feasible[k];
            var by = feasible.First(j => Dominance.Dominates(points[j], points[i]!));
            reasons[i] = $"dominated by {pareto.Entries[by].MaskHash[..Math.Min(12, pareto.Entries[by].MaskHash.Length)]} after re-measurement";
        }

        var members = pareto.Entries.Select((e, i) => new RemeasuredMember
        {
            Entry = e,
            Metrics = merged[i],
            Retimed = retimed[i] is not null,
            LeftReason = reasons[i],
        }).ToList();
        return new RemeasuredFront
        {
            Members = members,
            Pareto = pareto with { Entries = [.. members.Where(m => m.Stays).Select(m => m.Entry with { Metrics = m.Metrics })] },
        };
    }

    private static bool Satisfied(ConstraintDefinition constraint, double value) =>
        double.IsFinite(value) && (constraint.Operator == ConstraintOperator.LessOrEqual ? value <= constraint.Threshold : value >= constraint.Threshold);
}
