namespace PrunerCluster.Pruning.Masking;

/// <summary>
/// Hardware-friendly channel counts for a rounding block of 8 or 16 (oneDNN's AVX-512 channel block, GPU tensor cores):
/// a multiple of the block, the whole group, or below one block a power of two that divides it (16, 8, 4, 2, 1).
/// </summary>
public static class ChannelRounding
{
    /// <summary>Whether <paramref name="count"/> of a group of <paramref name="units"/> needs no rounding for <paramref name="roundTo"/> (0 or 1: no rounding).</summary>
    public static bool IsFriendly(int count, int units, int roundTo) =>
        roundTo <= 1 || count == units || count % roundTo == 0 || (count < roundTo && roundTo % count == 0);

    /// <summary>The smallest friendly count at or above <paramref name="count"/>, at most <paramref name="units"/>.</summary>
    public static int Up(int count, int units, int roundTo)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(roundTo);
        if (count < 1 || count > units)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Must be in [1, {units}].");
        }

        if (IsFriendly(count, units, roundTo))
        {
            return count;
        }

        if (count < roundTo)
        {
            var power = 1;
            while (power < count)
            {
                power *= 2;
            }

            if (roundTo % power == 0)
            {
                return Math.Min(units, power);
            }
        }

        return Math.Min(units, (count + roundTo - 1) / roundTo * roundTo);
    }
}
