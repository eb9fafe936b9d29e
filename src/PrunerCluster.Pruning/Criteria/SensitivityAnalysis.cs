using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Criteria;

/// <summary>Accuracy of the model with one group pruned by a fraction (least important units first), every other group intact, no fine-tuning.</summary>
public sealed record SensitivityPoint(string Group, double PrunedFraction, int KeptUnits, double Accuracy, double AccuracyDrop);

public static class SensitivityAnalysis
{
    public static IReadOnlyList<SensitivityPoint> Run(
        ZooModel model,
        ImageDataset data,
        IReadOnlyList<double> prunedFractions,
        ImportanceCriterion criterion = ImportanceCriterion.L1,
        int samples = 1000,
        ImportanceOptions? options = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(prunedFractions);
        if (prunedFractions.Any(f => f is < 0 or >= 1 || double.IsNaN(f)))
        {
            throw new ArgumentOutOfRangeException(nameof(prunedFractions), "Pruned fractions must be in [0, 1).");
        }

        var ranking = Importance.Rank(model, criterion, options);
        var baseline = ClassificationMetrics.Evaluate(model, data, samples, ct: ct).Accuracy;
        var points = new List<SensitivityPoint>();
        foreach (var w in model.Architecture.Widths)
        {
            foreach (var fraction in prunedFractions)
            {
                ct.ThrowIfCancellationRequested();
                var keep = Math.Max(1, (int)Math.Round((1 - fraction) * w.Units, MidpointRounding.AwayFromZero));
                var kept = model.Architecture.Widths.ToDictionary(
                    g => g.Group,
                    g => g.Group == w.Group ? ranking[g.Group].Take(keep).Order().ToArray() : Enumerable.Range(0, g.Units).ToArray(),
                    StringComparer.Ordinal);
                using var shrunk = MaskApplier.Shrink(model, kept);
                var accuracy = ClassificationMetrics.Evaluate(shrunk, data, samples, ct: ct).Accuracy;
                points.Add(new SensitivityPoint(w.Group, fraction, keep, accuracy, (baseline - accuracy) * 100.0));
            }
        }

        return points;
    }
}
