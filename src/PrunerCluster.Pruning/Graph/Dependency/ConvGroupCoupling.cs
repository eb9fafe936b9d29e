namespace PrunerCluster.Pruning.Graph;

/// <summary>
/// A grouped convolution (G groups, G x a input and G x b output channels) pruned group by group, as DepGraph does: every unit of the
/// spaces feeding it is made a whole number k of its groups (k x a channels; their classes are coarsened), and its output gets one
/// space per input leaf, k x b channels per unit, coupled unit by unit with that leaf. Removing a unit then removes k groups: their
/// input channels from every producer and reader of the input, their output channels, and the readers' matching inputs.
/// </summary>
internal static class ConvGroupCoupling
{
    /// <summary>
    /// The output segments of the convolution <paramref name="producer"/>, coupled with <paramref name="input"/>; null (nothing
    /// changed) when the input cannot be cut at group boundaries or is already fixed, so the caller keeps both sides whole.
    /// </summary>
    public static IReadOnlyList<ChannelSegment>? Couple(ChannelSpaces spaces, IReadOnlyList<ChannelSegment> input, int inPerGroup, int outPerGroup, string producer)
    {
        var leaves = spaces.Expand(input);
        var factors = Factors(spaces, leaves, inPerGroup);
        if (factors is null || factors.Any(f => !spaces.CanCoarsen(f.Key, f.Value)))
        {
            return null;
        }

        foreach (var (root, factor) in factors)
        {
            spaces.Coarsen(root, factor);
        }

        return leaves.Select(leaf => Output(spaces, leaf, inPerGroup, outPerGroup, producer)).ToArray();
    }

    /// <summary>Per class of the input (by root), how many times wider its units must become so that each is whole groups.</summary>
    private static SortedDictionary<int, int>? Factors(ChannelSpaces spaces, IReadOnlyList<ChannelSegment> leaves, int inPerGroup)
    {
        var factors = new SortedDictionary<int, int>();
        var offset = 0;
        foreach (var leaf in leaves)
        {
            if (offset % inPerGroup != 0 || leaf.Channels % inPerGroup != 0 || spaces.IsFixed(leaf.Space))
            {
                return null;
            }

            offset += leaf.Channels;
            var granularity = spaces.Granularity(leaf.Space);
            var root = spaces.Find(leaf.Space);
            factors[root] = ChannelSpaces.Lcm(factors.GetValueOrDefault(root, 1), ChannelSpaces.Lcm(granularity, inPerGroup) / granularity);
        }

        return factors;
    }

    private static ChannelSegment Output(ChannelSpaces spaces, ChannelSegment leaf, int inPerGroup, int outPerGroup, string producer)
    {
        var groupsPerUnit = spaces.Granularity(leaf.Space) / inPerGroup;
        var channels = spaces.Units(leaf.Space) * groupsPerUnit * outPerGroup;
        var space = spaces.New(channels, producer, groupsPerUnit * outPerGroup);
        spaces.UnionUnits(leaf.Space, space);
        return new ChannelSegment(space, channels);
    }
}
