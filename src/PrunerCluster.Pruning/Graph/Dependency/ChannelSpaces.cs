namespace PrunerCluster.Pruning.Graph;

/// <summary>A run of <see cref="Channels"/> consecutive channels of one channel space.</summary>
internal sealed record ChannelSegment(int Space, int Channels);

/// <summary>
/// The channel spaces of a graph's values, with union-find over the spaces whose channels are pruned together (DepGraph's coupling).
/// When two values with different channel layouts are tied (an Add of a Concat's output with one convolution's), every space of the
/// classes involved is split at the other side's boundaries and the parts are tied pairwise, so each part is one group instead of the
/// whole being kept. Only unsplit spaces (leaves) are ever united; a split space stands for its parts in order.
/// A unit (what a mask keeps or removes) is <see cref="Granularity"/> consecutive channels of a space: one channel, a grouped
/// convolution's whole groups, or the channels a channel shuffle interleaves. Every member of a class has the same number of units;
/// members coupled unit by unit (a grouped convolution's or a shuffle's input and output) may have different granularities, members
/// tied channel by channel have the same.
/// </summary>
internal sealed class ChannelSpaces
{
    private const int MaxAlignRounds = 8;
    private readonly List<Space> spaces = [];

    public int New(int channels, string? producer, int granularity = 1)
    {
        spaces.Add(new Space(channels, producer) { Parent = spaces.Count, Granularity = granularity });
        return spaces.Count - 1;
    }

    /// <summary>Units of a leaf: its channels over its granularity.</summary>
    public int Units(int space) => spaces[space].Channels / spaces[space].Granularity;

    /// <summary>Consecutive channels of the space that make one unit.</summary>
    public int Granularity(int space) => spaces[space].Granularity;

    public string? Producer(int space) => spaces[space].Producer;

    public IReadOnlyList<string> Tied(int space) => spaces[space].Tied;

    public bool IsFixed(int space) => spaces[Find(space)].Fixed;

    /// <summary>Spaces never split, in creation order.</summary>
    public IEnumerable<int> Leaves() => Enumerable.Range(0, spaces.Count).Where(i => spaces[i].Parts is null);

    /// <summary>The segments as unsplit spaces, in channel order.</summary>
    public IReadOnlyList<ChannelSegment> Expand(IReadOnlyList<ChannelSegment> segments)
    {
        var leaves = new List<ChannelSegment>();
        foreach (var s in segments)
        {
            AddLeaves(s.Space, leaves);
        }

        return leaves;
    }

    public void Fix(IReadOnlyList<ChannelSegment> segments)
    {
        foreach (var s in Expand(segments))
        {
            spaces[Find(s.Space)].Fixed = true;
        }
    }

    /// <summary>Records that <paramref name="node"/> (a depthwise convolution) carries these channels.</summary>
    public void AddTied(IReadOnlyList<ChannelSegment> segments, string node)
    {
        foreach (var s in Expand(segments))
        {
            spaces[s.Space].Tied.Add(node);
        }
    }

    /// <summary>
    /// Ties two layouts channel by channel, splitting spaces where their boundaries differ and coarsening classes to a common
    /// granularity; false when they cannot be aligned.
    /// </summary>
    public bool Tie(IReadOnlyList<ChannelSegment> x, IReadOnlyList<ChannelSegment> y)
    {
        if (Expand(x).Sum(s => s.Channels) != Expand(y).Sum(s => s.Channels))
        {
            return false;
        }

        for (var round = 0; round < MaxAlignRounds; round++)
        {
            var (a, b) = (Expand(x), Expand(y));
            if (a.Count == b.Count && a.Zip(b).All(p => p.First.Channels == p.Second.Channels))
            {
                foreach (var (p, q) in a.Zip(b))
                {
                    if (!SameGranularity(p.Space, q.Space))
                    {
                        return false;
                    }

                    Union(p.Space, q.Space);
                }

                return true;
            }

            var cuts = new SortedSet<int>(Cuts(a).Concat(Cuts(b)));
            if (!SplitAt(a, cuts) || !SplitAt(b, cuts))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// The leaves carrying channels <paramref name="start"/> .. + <paramref name="count"/> of the segments, spaces split at both ends.
    /// Where an end falls inside a unit wider than a channel (whole conv groups, shuffled channels), the segments are fixed and the
    /// range is a new fixed space.
    /// </summary>
    public IReadOnlyList<ChannelSegment> Range(IReadOnlyList<ChannelSegment> segments, int start, int count)
    {
        var cuts = new SortedSet<int> { start, start + count };
        for (var round = 0; round < MaxAlignRounds && Crossing(Expand(segments), cuts); round++)
        {
            if (!SplitAt(Expand(segments), cuts))
            {
                Fix(segments);
                var whole = New(count, null);
                spaces[whole].Fixed = true;
                return [new ChannelSegment(whole, count)];
            }
        }

        var (offset, range) = (0, new List<ChannelSegment>());
        foreach (var leaf in Expand(segments))
        {
            if (offset >= start && offset < start + count)
            {
                range.Add(leaf);
            }

            offset += leaf.Channels;
        }

        return range.Sum(s => s.Channels) == count ? range : throw new GraphException($"Channels {start} .. {start + count - 1} could not be separated from the channels coupled with them.");
    }

    /// <summary>Whether every member of <paramref name="space"/>'s class can take units <paramref name="factor"/> times as wide.</summary>
    public bool CanCoarsen(int space, int factor) =>
        factor == 1 || Members(space).All(m => spaces[m].Channels % (spaces[m].Granularity * factor) == 0);

    /// <summary>Makes every unit of <paramref name="space"/>'s class <paramref name="factor"/> times as wide (check <see cref="CanCoarsen"/> first).</summary>
    public void Coarsen(int space, int factor)
    {
        foreach (var m in Members(space))
        {
            spaces[m].Granularity *= factor;
        }
    }

    /// <summary>Couples two leaves unit by unit (a grouped convolution's or a shuffle's input and output); their unit counts must agree.</summary>
    public void UnionUnits(int a, int b)
    {
        if (Units(a) != Units(b))
        {
            throw new InvalidOperationException($"Spaces {a} ({Units(a)} units) and {b} ({Units(b)} units) cannot be coupled unit by unit.");
        }

        Union(a, b);
    }

    public int Find(int i)
    {
        while (spaces[i].Parent != i)
        {
            i = spaces[i].Parent = spaces[spaces[i].Parent].Parent;
        }

        return i;
    }

    private void AddLeaves(int space, List<ChannelSegment> into)
    {
        if (spaces[space].Parts is { } parts)
        {
            foreach (var p in parts)
            {
                AddLeaves(p, into);
            }
        }
        else
        {
            into.Add(new ChannelSegment(space, spaces[space].Channels));
        }
    }

    private static bool Crossing(IReadOnlyList<ChannelSegment> leaves, SortedSet<int> cuts)
    {
        var offset = 0;
        foreach (var leaf in leaves)
        {
            if (cuts.Any(c => c > offset && c < offset + leaf.Channels))
            {
                return true;
            }

            offset += leaf.Channels;
        }

        return false;
    }

    private static IEnumerable<int> Cuts(IReadOnlyList<ChannelSegment> leaves)
    {
        var offset = 0;
        foreach (var s in leaves.Take(leaves.Count - 1))
        {
            offset += s.Channels;
            yield return offset;
        }
    }

    /// <summary>Splits the leaves at the cuts; false when a cut falls inside a unit (then that leaf stays whole).</summary>
    private bool SplitAt(IReadOnlyList<ChannelSegment> leaves, SortedSet<int> cuts)
    {
        var (offset, split) = (0, true);
        foreach (var leaf in leaves)
        {
            var inner = cuts.Where(c => c > offset && c < offset + leaf.Channels).Select(c => c - offset).ToArray();
            if (inner.Length > 0 && spaces[leaf.Space].Parts is null)
            {
                split &= SplitClass(leaf.Space, inner);
            }

            offset += leaf.Channels;
        }

        return split;
    }

    /// <summary>
    /// Splits every leaf of <paramref name="space"/>'s class at the same units (the same relative offsets, scaled to each member's
    /// channels) and ties the parts pairwise; false, splitting nothing, when a cut falls inside a unit.
    /// </summary>
    private bool SplitClass(int space, int[] cuts)
    {
        var root = Find(space);
        var members = Members(space);
        var fixedClass = spaces[root].Fixed;
        var whole = spaces[space].Channels;
        if ((!fixedClass && cuts.Any(c => c % spaces[space].Granularity != 0)) || members.Any(m => cuts.Any(c => c * spaces[m].Channels % whole != 0)))
        {
            return false;
        }

        var parts = new List<int[]>();
        foreach (var m in members)
        {
            var ends = cuts.Select(c => c * spaces[m].Channels / whole).Append(spaces[m].Channels).ToArray();
            var children = ends.Select((e, k) => New(e - (k == 0 ? 0 : ends[k - 1]), spaces[m].Producer, fixedClass ? 1 : spaces[m].Granularity)).ToArray();
            foreach (var c in children)
            {
                spaces[c].Fixed = fixedClass;
                spaces[c].Tied.AddRange(spaces[m].Tied);
            }

            spaces[m].Parts = children;
            parts.Add(children);
        }

        foreach (var other in parts.Skip(1))
        {
            for (var j = 0; j <= cuts.Length; j++)
            {
                Union(parts[0][j], other[j]);
            }
        }

        return true;
    }

    /// <summary>
    /// Before a channel-by-channel union: both classes coarsened to the least common granularity; false when a class cannot take it.
    /// A fixed class is never pruned, so its granularity does not matter.
    /// </summary>
    private bool SameGranularity(int p, int q)
    {
        if (Find(p) == Find(q) || IsFixed(p) || IsFixed(q))
        {
            return true;
        }

        var (gp, gq) = (spaces[p].Granularity, spaces[q].Granularity);
        var common = Lcm(gp, gq);
        if (!CanCoarsen(p, common / gp) || !CanCoarsen(q, common / gq))
        {
            return false;
        }

        Coarsen(p, common / gp);
        Coarsen(q, common / gq);
        return true;
    }

    private int[] Members(int space)
    {
        var root = Find(space);
        return Leaves().Where(i => Find(i) == root).ToArray();
    }

    internal static int Lcm(int a, int b)
    {
        var (x, y) = (a, b);
        while (y != 0)
        {
            (x, y) = (y, x % y);
        }

        return a / x * b;
    }

    private void Union(int a, int b)
    {
        var (ra, rb) = (Find(a), Find(b));
        if (ra == rb)
        {
            return;
        }

        var (keep, drop) = ra < rb ? (ra, rb) : (rb, ra);
        spaces[drop].Parent = keep;
        spaces[keep].Fixed |= spaces[drop].Fixed;
    }

    private sealed class Space(int channels, string? producer)
    {
        public int Channels { get; } = channels;

        public string? Producer { get; } = producer;

        public bool Fixed { get; set; }

        public int Granularity { get; set; } = 1;

        public int Parent { get; set; } = -1;

        public int[]? Parts { get; set; }

        public List<string> Tied { get; } = [];
    }
}
