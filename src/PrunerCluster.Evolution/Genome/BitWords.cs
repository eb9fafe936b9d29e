using System.Numerics;

namespace PrunerCluster.Evolution;

/// <summary>Counting over the packed 64-bit words shared by <see cref="Genome"/> and <see cref="GenomeBuilder"/>.</summary>
internal static class BitWords
{
    public static int PopCount(ulong[] words)
    {
        var count = 0;
        foreach (var w in words)
        {
            count += BitOperations.PopCount(w);
        }

        return count;
    }

    public static int CountRange(ulong[] words, int start, int length)
    {
        var count = 0;
        var end = start + length;
        var i = start;
        while (i < end)
        {
            var bit = i & 63;
            var take = Math.Min(64 - bit, end - i);
            var mask = take == 64 ? ulong.MaxValue : ((1UL << take) - 1) << bit;
            count += BitOperations.PopCount(words[i >> 6] & mask);
            i += take;
        }

        return count;
    }
}
