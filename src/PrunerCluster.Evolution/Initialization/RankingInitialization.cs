namespace PrunerCluster.Evolution;

/// <summary>Magnitude-pruning masks from importance rankings: per segment keep the ceil(ratio * Bits) most important units.</summary>
public static class RankingInitialization
{
    public static void Validate(GenomeLayout layout, SeedRanking ranking, string paramName)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (ranking is null || ranking.Importance is null || ranking.KeepRatios is null)
        {
            throw new ArgumentException("A seed ranking and its Importance and KeepRatios must not be null.", paramName);
        }

        foreach (var (name, scores) in ranking.Importance)
        {
            if (!layout.TryIndexOf(name, out var s))
            {
                throw new ArgumentException($"Seed ranking '{ranking.Name}' names segment '{name}', which the layout lacks.", paramName);
            }

            if (scores is null || scores.Length != layout.Segments[s].Bits || scores.Any(double.IsNaN))
            {
                throw new ArgumentException(
                    $"Seed ranking '{ranking.Name}' segment '{name}' needs {layout.Segments[s].Bits} non-NaN scores, got {scores?.Length ?? 0}.",
                    paramName);
            }
        }

        foreach (var r in ranking.KeepRatios)
        {
            if (double.IsNaN(r) || r < 0 || r > 1)
            {
                throw new ArgumentOutOfRangeException(paramName, r, $"Seed ranking '{ranking.Name}' keep ratios must be in [0, 1].");
            }
        }
    }

    public static Genome Create(GenomeLayout layout, SeedRanking ranking, double keepRatio)
    {
        Validate(layout, ranking, nameof(ranking));
        var builder = new GenomeBuilder(layout);
        for (var s = 0; s < layout.Segments.Count; s++)
        {
            var spec = layout.Segments[s];
            var offset = layout.BitOffset(s);
            if (!ranking.Importance.TryGetValue(spec.Name, out var scores))
            {
                for (var i = 0; i < spec.Bits; i++)
                {
                    builder.SetBit(offset + i, true);
                }

                continue;
            }

            var keep = (int)Math.Ceiling(keepRatio * spec.Bits);
            var order = Enumerable.Range(0, spec.Bits).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(keep);
            foreach (var i in order)
            {
                builder.SetBit(offset + i, true);
            }
        }

        return builder.ToGenome();
    }
}
