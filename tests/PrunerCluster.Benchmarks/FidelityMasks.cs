using System.Globalization;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains;

namespace PrunerCluster.Benchmarks;

/// <summary>One mask of the fidelity suite: its genome text, how it was drawn and the mean keep fraction over the groups.</summary>
internal sealed record FidelityMask(int Index, string Kind, string Text, string Hash, double MeanKeep);

/// <summary>
/// Level genomes as a search evaluates them (one keep level per group, widths from the prepared experiment's ladder, kept
/// units in importance order): a uniform ladder (every group at the same keep fraction, spread over 0.3-0.95, the search's
/// own uniform seeding) and seeded random per-group keep fractions in [0.2, 1], all distinct by content hash.
/// </summary>
internal static class FidelityMasks
{
    public static IReadOnlyList<FidelityMask> Create(GenomeLayout layout, PreparedExperiment prepared, int count, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(prepared);
        var fractions = EncodingDefaults.IsLevelEncoding(prepared) ? EncodingDefaults.LevelKeepFractions(prepared) : null;
        if (fractions is null)
        {
            throw new ArgumentException($"the fidelity suite draws level genomes; the spec's encoding '{prepared.Encoding}' has no keep-level ladder (use search.encoding keepRatio)", nameof(prepared));
        }

        var masks = new List<FidelityMask>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var uniform = Math.Max(2, count / 3);
        for (var i = 0; i < uniform && masks.Count < count; i++)
        {
            var keep = 0.3 + (0.65 * i / (uniform - 1));
            Add("uniform", LevelInitialization.Create(layout, 1 - keep, fractions));
        }

        var random = new RandomSource(seed ^ 0xF1DE11717UL);
        for (var attempt = 0; masks.Count < count && attempt < 1000 * count; attempt++)
        {
            var builder = Genome.Full(layout).ToBuilder();
            for (var s = 0; s < layout.Segments.Count; s++)
            {
                if (layout.Segments[s].IntGenes > 0)
                {
                    builder.SetInt(layout.IntOffset(s), LevelInitialization.NearestValue(fractions[s], 0.2 + (0.8 * random.NextDouble())));
                }
            }

            Add("random", builder.ToGenome());
        }

        if (masks.Count < count)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"only {masks.Count} distinct masks exist in this layout; asked for {count}"));
        }

        return masks;

        void Add(string kind, Genome genome)
        {
            if (seen.Add(genome.ContentHash))
            {
                var keeps = Enumerable.Range(0, layout.Segments.Count).Where(s => layout.Segments[s].IntGenes > 0).Select(s => fractions[s][genome.GetInt(s, 0)]);
                masks.Add(new FidelityMask(masks.Count, kind, genome.ToCanonicalString(), genome.ContentHash, keeps.Average()));
            }
        }
    }
}
