namespace PrunerCluster.Evolution;

/// <summary>Generational distance (GD) and inverted generational distance (IGD) against a reference front (Euclidean, mean).</summary>
public static class Distances
{
    /// <summary>Mean distance from each reference point to its nearest approximation point.</summary>
    public static double InvertedGenerationalDistance(IReadOnlyList<double[]> approximation, IReadOnlyList<double[]> referenceFront) =>
        MeanNearest(referenceFront, approximation, nameof(approximation));

    /// <summary>Mean distance from each approximation point to its nearest reference point.</summary>
    public static double GenerationalDistance(IReadOnlyList<double[]> approximation, IReadOnlyList<double[]> referenceFront) =>
        MeanNearest(approximation, referenceFront, nameof(referenceFront));

    private static double MeanNearest(IReadOnlyList<double[]> from, IReadOnlyList<double[]> to, string toName)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (from.Count == 0 || to.Count == 0)
        {
            throw new ArgumentException("Both point sets must be non-empty.", toName);
        }

        var sum = 0.0;
        foreach (var a in from)
        {
            var best = double.PositiveInfinity;
            foreach (var b in to)
            {
                if (a.Length != b.Length)
                {
                    throw new ArgumentException("Points have different numbers of objectives.", toName);
                }

                var d = 0.0;
                for (var k = 0; k < a.Length; k++)
                {
                    d += (a[k] - b[k]) * (a[k] - b[k]);
                }

                best = Math.Min(best, d);
            }

            sum += Math.Sqrt(best);
        }

        return sum / from.Count;
    }
}
