using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>
/// Applies the mask: resolves it (repair, rounding), then physically shrinks the source to the kept units (structured,
/// hybrid) or clones it whole (unstructured), and masks the smallest weights to each group's sparsity level (sparsity modes).
/// </summary>
internal static class ShrinkStage
{
    public static ShrunkModel Run(EvaluationRun c, ZooModel source)
    {
        var s = c.Settings;
        var resolved = c.Time("apply", () => MaskApplier.Resolve(source, c.Mask, s.EmptyGroups, s.RoundChannelsTo));
        c.Notes.AddRange(resolved.Notes);
        var fractions = SparsityFractions(c.Mask, s, source);
        var shrunk = c.Time("apply", () =>
        {
            var (model, kept) = s.Mode == PruningMode.Unstructured ? Whole(c, source, resolved) : (MaskApplier.Shrink(source, resolved.Kept), resolved.Kept);
            try
            {
                var state = s.Mode == PruningMode.Structured ? null : MaskApplier.ApplySparsity(model, fractions);
                return new ShrunkModel(model, state, kept);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        });
        c.Kept = shrunk.Kept;
        c.PrunedArchitecture = shrunk.Model.Architecture;
        c.SparsityFractions = fractions;
        return shrunk;
    }

    /// <summary>Each group's sparsity fraction from the mask's levels (empty in structured mode or without levels).</summary>
    public static Dictionary<string, double> SparsityFractions(PruneMask mask, EvaluationSettings s, ZooModel model)
    {
        var fractions = new Dictionary<string, double>(StringComparer.Ordinal);
        if (s.Mode == PruningMode.Structured || mask.SparsityLevels is null)
        {
            return fractions;
        }

        foreach (var (group, level) in mask.SparsityLevels)
        {
            _ = model.Architecture.Width(group);
            if (level < 0 || level >= s.SparsityLevels.Count)
            {
                throw new InvalidMaskException($"Sparsity level {level} for group '{group}' is outside [0, {s.SparsityLevels.Count - 1}] (EvaluationSettings.SparsityLevels).");
            }

            fractions[group] = s.SparsityLevels[level];
        }

        return fractions;
    }

    private static (ZooModel Model, IReadOnlyDictionary<string, int[]> Kept) Whole(EvaluationRun c, ZooModel source, ResolvedMask resolved)
    {
        if (resolved.Kept.Any(k => k.Value.Length < source.Architecture.Width(k.Key)))
        {
            c.Notes.Add("unstructured mode: keep-bits ignored, only sparsity levels apply");
        }

        var all = source.Architecture.Widths.ToDictionary(w => w.Group, w => Enumerable.Range(0, w.Units).ToArray(), StringComparer.Ordinal);
        return (MaskApplier.Clone(source), all);
    }
}
