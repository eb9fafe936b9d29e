using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Masking;

/// <summary>Kept unit indices (ascending) per group after validation, repair and rounding, with a note per change.</summary>
public sealed record ResolvedMask(IReadOnlyDictionary<string, int[]> Kept, IReadOnlyList<string> Notes)
{
    public double KeptFraction(ArchitectureSpec full)
    {
        ArgumentNullException.ThrowIfNull(full);
        var total = full.Widths.Sum(w => w.Units);
        return total == 0 ? 1 : (double)Kept.Values.Sum(k => k.Length) / total;
    }
}
