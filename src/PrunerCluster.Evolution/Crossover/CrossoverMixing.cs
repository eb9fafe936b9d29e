namespace PrunerCluster.Evolution;

/// <summary>Shared helpers: bit-parallel mixing of two parents by a per-bit mask (1 = take from the first parent).</summary>
internal static class CrossoverMixing
{
    public static void CheckParents(Genome a, Genome b, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(random);
        if (!a.Layout.IsSameAs(b.Layout))
        {
            throw new ArgumentException("Parents have different layouts.", nameof(b));
        }
    }

    public static (Genome, Genome) Mix(Genome a, Genome b, Func<int, ulong> maskOfWord, Func<int, bool> takeIntFromFirst)
    {
        var wa = a.Words;
        var wb = b.Words;
        var c1 = new ulong[wa.Length];
        var c2 = new ulong[wa.Length];
        for (var w = 0; w < wa.Length; w++)
        {
            var m = maskOfWord(w);
            c1[w] = (wa[w] & m) | (wb[w] & ~m);
            c2[w] = (wb[w] & m) | (wa[w] & ~m);
        }

        var ia = a.Ints;
        var ib = b.Ints;
        var i1 = new int[ia.Length];
        var i2 = new int[ia.Length];
        for (var g = 0; g < ia.Length; g++)
        {
            var first = takeIntFromFirst(g);
            i1[g] = first ? ia[g] : ib[g];
            i2[g] = first ? ib[g] : ia[g];
        }

        return (new Genome(a.Layout, c1, i1), new Genome(a.Layout, c2, i2));
    }

    /// <summary>Word <paramref name="w"/> of a mask whose bits [from, to) are set.</summary>
    public static ulong RangeMask(int w, int from, int to)
    {
        var lo = Math.Max(from - (w * 64), 0);
        var hi = Math.Min(to - (w * 64), 64);
        if (hi <= lo)
        {
            return 0;
        }

        var upper = hi == 64 ? ulong.MaxValue : (1UL << hi) - 1;
        var lower = (1UL << lo) - 1;
        return upper & ~lower;
    }
}
