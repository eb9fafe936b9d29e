namespace PrunerCluster.Contracts;

/// <summary>Names of the genome encodings a search may use (<see cref="SearchSettings.Encoding"/>).</summary>
public static class GenomeEncodings
{
    /// <summary>One keep level per prunable group; the kept units are the most important ones (importance order), rounded to hardware-friendly multiples.</summary>
    public const string KeepRatio = "keepRatio";

    /// <summary>One keep-bit per unit (the seed design).</summary>
    public const string ChannelBits = "channelBits";

    /// <summary>A keep level per group sets how many units stay; keep-bits mark preferred units, taken first in importance order.</summary>
    public const string Hybrid = "hybrid";

    public const string Default = KeepRatio;

    public const int DefaultKeepLevels = 16;

    public static IReadOnlyList<string> All { get; } = [KeepRatio, ChannelBits, Hybrid];

    /// <summary>The canonical name of <paramref name="name"/> (case-insensitive), the default for null, or null when unknown.</summary>
    public static string? Canonical(string? name)
    {
        if (name is null)
        {
            return Default;
        }

        return All.FirstOrDefault(e => string.Equals(e, name.Trim(), StringComparison.OrdinalIgnoreCase));
    }
}
