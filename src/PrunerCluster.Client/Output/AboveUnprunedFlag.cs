using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Output;

/// <summary>
/// A pruned member that scores above the unpruned model by more than the validation set's 95 % interval is more likely
/// a sign of a small or leaking validation split than of a better model: the tables mark it.
/// </summary>
public static class AboveUnprunedFlag
{
    public const string Marker = "!";

    /// <summary>Half-width, in accuracy points, of the 95 % interval of accuracy <paramref name="p"/> measured on <paramref name="n"/> images.</summary>
    public static double IntervalPoints(double p, double n) => n > 0 ? 1.96 * Math.Sqrt(Math.Clamp(p, 0, 1) * (1 - Math.Clamp(p, 0, 1)) / n) * 100 : double.PositiveInfinity;

    public static bool IsFlagged(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return metrics.TryGetValue(MetricNames.Accuracy, out var accuracy)
            && metrics.TryGetValue(MetricNames.BaselineAccuracy, out var baseline)
            && metrics.TryGetValue(MetricNames.ValidationSamples, out var n)
            && (accuracy - baseline) * 100 > IntervalPoints(baseline, n);
    }

    /// <summary>The note under a table with flagged members; null when none is flagged.</summary>
    public static string? Note(IEnumerable<ParetoEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var flagged = entries.FirstOrDefault(e => IsFlagged(e.Metrics));
        if (flagged is null)
        {
            return null;
        }

        var m = flagged.Metrics;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Marker} scores above the unpruned model by more than the 95 % interval of its {m[MetricNames.ValidationSamples]:F0} validation images (+-{IntervalPoints(m[MetricNames.BaselineAccuracy], m[MetricNames.ValidationSamples]):F1} pt): check that the validation split is large enough and does not overlap the training data.");
    }
}
