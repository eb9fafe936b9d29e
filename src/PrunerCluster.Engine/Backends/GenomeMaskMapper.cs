using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Structure;

namespace PrunerCluster.Engine.Backends;

/// <summary>
/// The meaning of a genome for the TorchSharp backend: genome layout per encoding at prepare time, and genome to prune
/// mask at evaluation time (keep levels over the prepared importance order, rounded to hardware-friendly multiples).
/// </summary>
public static class GenomeMaskMapper
{
    /// <summary>
    /// Channel rounding of the level encodings when the spec sets none: 16, the channel block of oneDNN's AVX-512
    /// convolutions (and a multiple of the 8 that GPU tensor cores want). Counts between multiples cost as much as the
    /// next multiple, and on hosts whose oneDNN returns sporadic NaNs only such counts fault (the `rounding` benchmark).
    /// </summary>
    public const int DefaultLevelRounding = 16;

    /// <summary>The encoding in force: the spec's, else keepRatio for structured pruning and channelBits for sparsity modes.</summary>
    public static string EffectiveEncoding(ExperimentSpec spec, PruningMode mode)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Search.Encoding is null
            ? mode == PruningMode.Structured ? GenomeEncodings.KeepRatio : GenomeEncodings.ChannelBits
            : GenomeEncodings.Canonical(spec.Search.Encoding) ?? throw new ArgumentException($"unknown encoding '{spec.Search.Encoding}'", nameof(spec));
    }

    public static int KeepLevels(ExperimentSpec spec) => spec.Search.KeepLevels ?? GenomeEncodings.DefaultKeepLevels;

    /// <summary>The narrowest width a level gene gives a layer: the spec's, else <see cref="KeepLevelMapping.DefaultMinWidth"/>.</summary>
    public static int MinChannels(ExperimentSpec spec) => spec.Search.MinChannels ?? KeepLevelMapping.DefaultMinWidth;

    public static bool IsLevelEncoding(string encoding) => encoding is GenomeEncodings.KeepRatio or GenomeEncodings.Hybrid;

    public static GenomeSegment[] Segments(IReadOnlyList<PrunableGroup> groups, string encoding, int keepLevels, EvaluationSettings settings, int minChannels = KeepLevelMapping.DefaultMinWidth)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(settings);
        if (IsLevelEncoding(encoding))
        {
            if (settings.Mode != PruningMode.Structured)
            {
                throw new ArgumentException($"encoding '{encoding}' needs evaluation.mode structured; use channelBits for sparsity modes", nameof(encoding));
            }

            var bits = encoding == GenomeEncodings.Hybrid;
            var counts = LevelCounts(groups, keepLevels, settings, minChannels);
            return [.. groups.Select(g => new GenomeSegment(g.Name, bits ? g.Units : 0, 1, counts[g.Name].Length - 1, 0))];
        }

        var sparse = settings.Mode != PruningMode.Structured;
        var levels = settings.SparsityLevels.Count;
        return [.. groups.Select(g => new GenomeSegment(g.Name, g.Units, sparse ? 1 : 0, sparse ? levels - 1 : 0, Math.Max(1, g.MinKeep)))];
    }

    /// <summary>
    /// The widths a level gene selects from, per group (<see cref="KeepLevelMapping.WidthLadder"/>), widest first: the
    /// distinct kept counts of the keep levels after channel rounding, continued below one rounding block by halving down
    /// to <paramref name="minChannels"/>. Levels that round to the same width are one gene value, so the search never
    /// spends an evaluation on a model it has already measured under another genome.
    /// </summary>
    public static Dictionary<string, int[]> LevelCounts(IReadOnlyList<PrunableGroup> groups, int keepLevels, EvaluationSettings settings, int minChannels = KeepLevelMapping.DefaultMinWidth)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(settings);
        return groups.ToDictionary(
            g => g.Name,
            g => KeepLevelMapping.WidthLadder(g.Units, keepLevels, settings.RoundChannelsTo, minChannels, Math.Max(1, g.MinKeep)),
            StringComparer.Ordinal);
    }

    public static PruneMask ToPruneMask(Genome genome, PreparedExperiment prepared, EvaluationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(settings);
        var level = IsLevelEncoding(prepared.Encoding);
        var keep = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        Dictionary<string, int>? sparsity = null;
        for (var s = 0; s < genome.Layout.Segments.Count; s++)
        {
            var segment = genome.Layout.Segments[s];
            if (!level)
            {
                keep[segment.Name] = genome.GetSegmentBits(s);
                if (segment.IntGenes > 0)
                {
                    sparsity ??= new Dictionary<string, int>(StringComparer.Ordinal);
                    sparsity[segment.Name] = genome.GetInt(s, 0);
                }

                continue;
            }

            if (prepared.SegmentImportance is null || !prepared.SegmentImportance.TryGetValue(segment.Name, out var importance))
            {
                throw new InvalidMaskException($"encoding '{prepared.Encoding}' needs the importance order of group '{segment.Name}', which the prepared experiment lacks");
            }

            var preferred = segment.Bits > 0 ? genome.GetSegmentBits(s) : null;
            var gene = genome.GetInt(s, 0);
            if (prepared.LevelCounts is null)
            {
                keep[segment.Name] = KeepLevelMapping.KeepBits(importance, gene, prepared.KeepLevels, settings.RoundChannelsTo, 1, preferred);
                continue;
            }

            if (!prepared.LevelCounts.TryGetValue(segment.Name, out var counts) || gene >= counts.Length)
            {
                throw new InvalidMaskException($"group '{segment.Name}': level gene {gene} has no width in the prepared experiment ({counts?.Length ?? 0} widths)");
            }

            keep[segment.Name] = KeepLevelMapping.KeepMostImportant(importance, Math.Min(counts[gene], importance.Length), preferred);
        }

        return new PruneMask(keep, sparsity);
    }
}
