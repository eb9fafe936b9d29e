using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Engine.Quality;

/// <summary>Which of a method's masks the benchmark's final recovery takes.</summary>
public static class RecoveryChoice
{
    /// <summary>
    /// Without a ladder: the cheapest front members in MACs within the search-time tolerance (up to
    /// <see cref="QualityOptions.RecoverMembers"/>), else the most accurate one.
    /// </summary>
    public static IReadOnlyList<(string Hash, string Text)> Cheapest(IReadOnlyList<QualityPoint> points, QualityReference reference, QualityOptions options)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(options);
        var ok = points.Where(p => p.Succeeded).ToList();
        var front = QualityMetrics.Front([.. ok.Select(p => (p.Accuracy, p.Macs))]).Select(i => ok[i]).Where(p => p.MaskText.Length > 0).ToList();
        var chosen = front.Where(p => (reference.ValidationAccuracy - p.Accuracy) * 100 <= options.RecoverWithinPoints)
            .OrderBy(p => p.Macs).Take(options.RecoverMembers).ToList();
        if (chosen.Count == 0 && front.Count > 0)
        {
            chosen.Add(front.OrderByDescending(p => p.Accuracy).First());
        }

        return [.. chosen.Select(p => (p.MaskHash, p.MaskText))];
    }

    /// <summary>
    /// With a ladder: the product's own choice (<see cref="FinalRecoverySelection.Members"/> under the spec's
    /// <c>finalRecovery</c>) from the search's Pareto set, or, for a baseline, from the front of its masks under the
    /// spec's objectives, each with its validation drop against the unpruned model. Every method is chosen from the same way.
    /// </summary>
    public static IReadOnlyList<(string Hash, string Text)> Product(ExperimentSpec spec, IReadOnlyList<QualityPoint> points, QualityReference reference, IReadOnlyList<ParetoEntry>? pareto)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(reference);
        // A member about as costly as the unpruned model adds nothing to the hypervolume and would take one of the recoveries.
        var entries = (pareto ?? Front(spec, points, reference)).Where(e => e.Metrics.GetValueOrDefault(MetricNames.Macs, double.MaxValue) < reference.Macs).ToList();
        return [.. FinalRecoverySelection.Members(entries, spec.FinalRecovery!, reference.Macs).Select(e => (e.MaskHash, e.MaskText))];
    }

    private static List<ParetoEntry> Front(ExperimentSpec spec, IReadOnlyList<QualityPoint> points, QualityReference reference)
    {
        var ok = points.Where(p => p.Succeeded && p.MaskText.Length > 0).ToList();
        var rows = ok.Select(p => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.Accuracy] = p.Accuracy,
            [MetricNames.Macs] = p.Macs,
            [MetricNames.LatencyMs] = p.LatencyMs,
            [MetricNames.AccuracyDrop] = (reference.ValidationAccuracy - p.Accuracy) * 100,
        }).ToList();
        var front = FinalRecoverySelection.NonDominated(spec.Objectives, rows);
        return [.. ok.Select((p, i) => (Point: p, Index: i)).Where(x => front[x.Index]).Select(x => new ParetoEntry
        {
            CandidateId = x.Index,
            MaskText = x.Point.MaskText,
            MaskHash = x.Point.MaskHash,
            IndividualKey = x.Point.MaskHash,
            Metrics = rows[x.Index],
        })];
    }
}
