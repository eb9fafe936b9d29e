using System.Globalization;
using System.Text;
using PrunerCluster.Pruning.Structure;

namespace PrunerCluster.Pruning.Masking;

public enum PruningMode
{
    /// <summary>Physically remove the masked channels/neurons: a smaller model with fewer MACs, parameters, bytes and lower latency.</summary>
    Structured,

    /// <summary>Zero the smallest-magnitude weights of each layer (per-group sparsity level); the architecture stays dense.</summary>
    Unstructured,

    /// <summary>Structured shrink first, then per-layer magnitude sparsity on the shrunk model.</summary>
    Hybrid,
}

/// <summary>
/// Keep-bits per prunable group (true = keep unit) and optional per-group sparsity levels (indices into <c>EvaluationSettings.SparsityLevels</c>).
/// A group absent from <see cref="Keep"/> is kept whole.
/// </summary>
public sealed record PruneMask(IReadOnlyDictionary<string, bool[]> Keep, IReadOnlyDictionary<string, int>? SparsityLevels = null)
{
    public static PruneMask Full(IReadOnlyList<PrunableGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        return new PruneMask(groups.ToDictionary(g => g.Name, g => Enumerable.Repeat(true, g.Units).ToArray(), StringComparer.Ordinal));
    }

    /// <summary>Keeps the first <c>round(fraction * units)</c> (at least 1) units of each group's ranking (most important first).</summary>
    public static PruneMask FromRanking(IReadOnlyList<PrunableGroup> groups, IReadOnlyDictionary<string, int[]> ranking, double keepFraction)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(ranking);
        if (keepFraction is <= 0 or > 1 || double.IsNaN(keepFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(keepFraction), keepFraction, "Keep fraction must be in (0, 1].");
        }

        var keep = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            if (!ranking.TryGetValue(g.Name, out var order) || order.Length != g.Units)
            {
                throw new ArgumentException($"Ranking for group '{g.Name}' is missing or does not have {g.Units} entries.", nameof(ranking));
            }

            var count = Math.Clamp((int)Math.Round(keepFraction * g.Units, MidpointRounding.AwayFromZero), Math.Max(1, g.MinKeep), g.Units);
            var bits = new bool[g.Units];
            foreach (var unit in order.Take(count))
            {
                bits[unit] = true;
            }

            keep[g.Name] = bits;
        }

        return new PruneMask(keep);
    }

    public int KeptCount(string group) => Keep.TryGetValue(group, out var bits) ? bits.Count(b => b) : -1;

    public string ToCanonicalString()
    {
        var sb = new StringBuilder();
        foreach (var (name, bits) in Keep.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            sb.Append(name).Append('=');
            foreach (var b in bits)
            {
                sb.Append(b ? '1' : '0');
            }

            sb.Append(';');
        }

        if (SparsityLevels is not null)
        {
            foreach (var (name, level) in SparsityLevels.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                sb.Append(CultureInfo.InvariantCulture, $"s:{name}={level};");
            }
        }

        return sb.ToString();
    }

    public string ContentHash => Sha256Hex.Of(ToCanonicalString());
}
