namespace PrunerCluster.Evolution;

internal static class MutationHelpers
{
    public static void Check(Genome genome, double rate, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentNullException.ThrowIfNull(random);
        if (double.IsNaN(rate) || rate < 0 || rate > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The mutation rate must be in [0, 1].");
        }
    }

    /// <summary>Calls <paramref name="hit"/> for each index in [0, count) chosen independently with probability <paramref name="rate"/>, by geometric skips.</summary>
    public static void ForEachHit(int count, double rate, RandomSource random, Action<int> hit)
    {
        if (rate <= 0 || count == 0)
        {
            return;
        }

        if (rate >= 1)
        {
            for (var i = 0; i < count; i++)
            {
                hit(i);
            }

            return;
        }

        var logQ = Math.Log(1 - rate);
        var i0 = -1;
        while (true)
        {
            var u = 1.0 - random.NextDouble();
            var skip = Math.Floor(Math.Log(u) / logQ);
            if (skip >= count - i0 - 1)
            {
                return;
            }

            i0 += (int)skip + 1;
            hit(i0);
        }
    }

    /// <summary>A different value in [0, max] (max >= 1).</summary>
    public static int RedrawInt(int current, int max, RandomSource random)
    {
        var v = random.NextInt(max);
        return v >= current ? v + 1 : v;
    }

    /// <summary>Global indices of the kept (or pruned) bits of a segment.</summary>
    public static List<int> Indices(GenomeBuilder builder, int segment, bool kept)
    {
        var layout = builder.Layout;
        var list = new List<int>();
        for (var b = layout.BitOffset(segment); b < layout.BitOffset(segment + 1); b++)
        {
            if (builder.GetBit(b) == kept)
            {
                list.Add(b);
            }
        }

        return list;
    }
}
