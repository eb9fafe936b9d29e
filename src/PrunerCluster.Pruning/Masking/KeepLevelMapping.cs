namespace PrunerCluster.Pruning.Masking;

/// <summary>
/// Maps a keep level of one prunable group onto kept units: level l of L keeps (L - l) / L of the units, rounded to a
/// hardware-friendly multiple (<c>roundTo</c>, 0 = none) and never fewer than one multiple (or <c>minKeep</c>); the kept
/// units are the most important ones, with units marked as preferred (hybrid encoding) taken first.
/// </summary>
public static class KeepLevelMapping
{
    public static int KeptCount(int units, int level, int levels, int roundTo, int minKeep = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(roundTo);
        if (level < 0 || level >= levels)
        {
            throw new InvalidMaskException($"Keep level {level} is outside [0, {levels - 1}].");
        }

        var raw = units * (levels - level) / (double)levels;
        int count;
        if (roundTo > 1 && units > roundTo)
        {
            count = (int)Math.Round(raw / roundTo, MidpointRounding.AwayFromZero) * roundTo;
            count = Math.Max(count, roundTo);
        }
        else
        {
            count = (int)Math.Round(raw, MidpointRounding.AwayFromZero);
        }

        return Math.Clamp(count, Math.Clamp(minKeep, 1, units), units);
    }

    /// <summary>
    /// The distinct kept counts of levels 0..<paramref name="levels"/> - 1 (<see cref="KeptCount"/>), widest first: the widths a
    /// level gene can give a group once rounding has merged levels (a 32-unit group rounded to 16 has two, 32 and 16).
    /// </summary>
    public static int[] DistinctCounts(int units, int levels, int roundTo, int minKeep = 1) =>
        [.. Enumerable.Range(0, levels).Select(l => KeptCount(units, l, levels, roundTo, minKeep)).Distinct().OrderDescending()];

    /// <summary>The narrowest width <see cref="WidthLadder"/> gives a group unless told otherwise.</summary>
    public const int DefaultMinWidth = 4;

    /// <summary>
    /// The widths a level gene selects from for a group of <paramref name="units"/>, widest first. Without rounding: the
    /// distinct kept counts of the levels (<see cref="DistinctCounts"/>). With rounding: the whole group and the levels'
    /// multiples of <paramref name="roundTo"/> down to one block, then below one block by halving (16, 8, 4: counts that
    /// divide the block, which <see cref="ChannelRounding"/> leaves as they are), so a model can go below one block per
    /// layer; when the levels stop above one block (few levels), so does the ladder. None is narrower than
    /// <paramref name="minWidth"/> or the group's <paramref name="minKeep"/> (the whole group if it is smaller).
    /// </summary>
    public static int[] WidthLadder(int units, int levels, int roundTo, int minWidth = DefaultMinWidth, int minKeep = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minWidth, 1);
        var floor = Math.Min(units, Math.Max(minWidth, minKeep));
        if (roundTo <= 1)
        {
            var exact = DistinctCounts(units, levels, roundTo).Where(w => w >= floor).ToArray();
            return exact.Length > 0 ? exact : [units];
        }

        var widths = new SortedSet<int>(Comparer<int>.Create((a, b) => b.CompareTo(a))) { units };
        var narrowest = units;
        if (units > roundTo)
        {
            foreach (var w in DistinctCounts(units, levels, roundTo))
            {
                widths.Add(w);
                narrowest = Math.Min(narrowest, w);
            }
        }

        if (narrowest <= roundTo)
        {
            for (var w = roundTo / 2; w >= 1; w /= 2)
            {
                if (w < units)
                {
                    widths.Add(w);
                }
            }
        }

        return [.. widths.Where(w => w >= floor || w == units)];
    }

    /// <summary>The <paramref name="count"/> kept unit indices (ascending): preferred units first, then by importance (descending), ties by index.</summary>
    public static int[] KeptUnits(IReadOnlyList<double> importance, int count, IReadOnlyList<bool>? preferred = null)
    {
        ArgumentNullException.ThrowIfNull(importance);
        if (count < 0 || count > importance.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Must be in [0, {importance.Count}].");
        }

        if (preferred is not null && preferred.Count != importance.Count)
        {
            throw new InvalidMaskException($"Preference bits cover {preferred.Count} units, the group has {importance.Count}.");
        }

        return Enumerable.Range(0, importance.Count)
            .OrderByDescending(i => preferred is not null && preferred[i])
            .ThenByDescending(i => importance[i])
            .ThenBy(i => i)
            .Take(count)
            .Order()
            .ToArray();
    }

    /// <summary>Keep-bits of a whole group from its level (and optional preference bits).</summary>
    public static bool[] KeepBits(IReadOnlyList<double> importance, int level, int levels, int roundTo, int minKeep = 1, IReadOnlyList<bool>? preferred = null)
    {
        ArgumentNullException.ThrowIfNull(importance);
        return KeepMostImportant(importance, KeptCount(importance.Count, level, levels, roundTo, minKeep), preferred);
    }

    /// <summary>Keep-bits of a whole group that keep its <paramref name="count"/> most important units (preferred ones first).</summary>
    public static bool[] KeepMostImportant(IReadOnlyList<double> importance, int count, IReadOnlyList<bool>? preferred = null)
    {
        ArgumentNullException.ThrowIfNull(importance);
        var bits = new bool[importance.Count];
        foreach (var i in KeptUnits(importance, count, preferred))
        {
            bits[i] = true;
        }

        return bits;
    }
}
