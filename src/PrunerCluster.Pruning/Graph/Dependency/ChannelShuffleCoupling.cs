namespace PrunerCluster.Pruning.Graph;

/// <summary>
/// A channel shuffle over g groups of m channels (output channel i g + k is input channel k m + i) pruned as DepGraph does: channel i of
/// every input part k is one unit (the parts are tied channel by channel), and it lands on output channels i g .. i g + g - 1, so the
/// output gets one space per leaf of the first part, g times as wide, coupled unit by unit with that leaf. Removing a unit removes
/// channel i from every part's producers and g consecutive channels from the shuffle's readers, and the shuffle stays a shuffle of g groups.
/// </summary>
internal static class ChannelShuffleCoupling
{
    /// <summary>The shuffle's output segments; null when the parts cannot be tied or are fixed, so the caller keeps both sides whole.</summary>
    public static IReadOnlyList<ChannelSegment>? Couple(ChannelSpaces spaces, IReadOnlyList<ChannelSegment> input, int channels, int groups)
    {
        var perGroup = channels / groups;
        var parts = Enumerable.Range(0, groups).Select(k => spaces.Range(input, k * perGroup, perGroup)).ToArray();
        if (parts.Skip(1).Any(part => !spaces.Tie(parts[0], part)))
        {
            return null;
        }

        var first = spaces.Expand(parts[0]);
        if (first.Any(leaf => spaces.IsFixed(leaf.Space)))
        {
            return null;
        }

        return first.Select(leaf => Output(spaces, leaf, groups)).ToArray();
    }

    private static ChannelSegment Output(ChannelSpaces spaces, ChannelSegment leaf, int groups)
    {
        var space = spaces.New(leaf.Channels * groups, null, spaces.Granularity(leaf.Space) * groups);
        spaces.UnionUnits(leaf.Space, space);
        return new ChannelSegment(space, leaf.Channels * groups);
    }
}
