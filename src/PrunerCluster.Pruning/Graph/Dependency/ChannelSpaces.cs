namespace PrunerCluster.Pruning.Graph;

/// <summary>A run of <see cref="Units"/> consecutive channels of one channel space.</summary>
internal sealed record ChannelSegment(int Space, int Units);

/// <summary>
/// The channel spaces of a graph's values, with union-find over the spaces whose channels are pruned together (DepGraph's coupling).
/// When two values with different channel layouts are tied (an Add of a Concat's output with one convolution's), every space of the
/// classes involved is split at the other side's boundaries and the parts are tied pairwise, so each part is one group instead of the
/// whole being kept. Only unsplit spaces (leaves) are ever united; a split space stands for its parts in order.
/// </summary>
internal sealed class ChannelSpaces
{
    private const int MaxAlignRounds = 8;
    private readonly List<Space> spaces = [];

    public int New(int units, string? producer)
    {
        spaces.Add(new Space(units, producer) { Parent = spaces.Count });
        return spaces.Count - 1;
    }

    public int Units(int space) => spaces[space].Units;

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

    /// <summary>Ties two layouts channel by channel, splitting spaces where their boundaries differ; false when they cannot be aligned.</summary>
    public bool Tie(IReadOnlyList<ChannelSegment> x, IReadOnlyList<ChannelSegment> y)
    {
        if (Expand(x).Sum(s => s.Units) != Expand(y).Sum(s => s.Units))
        {
            return false;
        }

        for (var round = 0; round < MaxAlignRounds; round++)
        {
            var (a, b) = (Expand(x), Expand(y));
            if (a.Count == b.Count && a.Zip(b).All(p => p.First.Units == p.Second.Units))
            {
                foreach (var (p, q) in a.Zip(b))
                {
                    Union(p.Space, q.Space);
                }

                return true;
            }

            var cuts = new SortedSet<int>(Cuts(a).Concat(Cuts(b)));
            SplitAt(a, cuts);
            SplitAt(b, cuts);
        }

        return false;
    }

    /// <summary>The leaves carrying channels <paramref name="start"/> .. + <paramref name="count"/> of the segments, spaces split at both ends.</summary>
    public IReadOnlyList<ChannelSegment> Range(IReadOnlyList<ChannelSegment> segments, int start, int count)
    {
        var cuts = new SortedSet<int> { start, start + count };
        for (var round = 0; round < MaxAlignRounds && Crossing(Expand(segments), cuts); round++)
        {
            SplitAt(Expand(segments), cuts);
        }

        var (offset, range) = (0, new List<ChannelSegment>());
        foreach (var leaf in Expand(segments))
        {
            if (offset >= start && offset < start + count)
            {
                range.Add(leaf);
            }

            offset += leaf.Units;
        }

        return range.Sum(s => s.Units) == count ? range : throw new GraphException($"Channels {start} .. {start + count - 1} could not be separated from the channels coupled with them.");
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
            into.Add(new ChannelSegment(space, spaces[space].Units));
        }
    }

    private static bool Crossing(IReadOnlyList<ChannelSegment> leaves, SortedSet<int> cuts)
    {
        var offset = 0;
        foreach (var leaf in leaves)
        {
            if (cuts.Any(c => c > offset && c < offset + leaf.Units))
            {
                return true;
            }

            offset += leaf.Units;
        }

        return false;
    }

    private static IEnumerable<int> Cuts(IReadOnlyList<ChannelSegment> leaves)
    {
        var offset = 0;
        foreach (var s in leaves.Take(leaves.Count - 1))
        {
            offset += s.Units;
            yield return offset;
        }
    }

    private void SplitAt(IReadOnlyList<ChannelSegment> leaves, SortedSet<int> cuts)
    {
        var offset = 0;
        foreach (var leaf in leaves)
        {
            var inner = cuts.Where(c => c > offset && c < offset + leaf.Units).Select(c => c - offset).ToArray();
            if (inner.Length > 0 && spaces[leaf.Space].Parts is null)
            {
                SplitClass(leaf.Space, inner);
            }

            offset += leaf.Units;
        }
    }

    /// <summary>Splits every leaf of <paramref name="space"/>'s class at the same relative offsets and ties the parts pairwise.</summary>
    private void SplitClass(int space, int[] cuts)
    {
        var root = Find(space);
        var members = Leaves().Where(i => Find(i) == root).ToArray();
        var sizes = cuts.Append(spaces[space].Units).Select((c, k) => c - (k == 0 ? 0 : cuts[k - 1])).ToArray();
        var fixedClass = spaces[root].Fixed;
        var parts = new List<int[]>();
        foreach (var m in members)
        {
            var children = sizes.Select(u => New(u, spaces[m].Producer)).ToArray();
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
            for (var j = 0; j < sizes.Length; j++)
            {
                Union(parts[0][j], other[j]);
            }
        }
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

    private sealed class Space(int units, string? producer)
    {
        public int Units { get; } = units;

        public string? Producer { get; } = producer;

        public bool Fixed { get; set; }

        public int Parent { get; set; } = -1;

        public int[]? Parts { get; set; }

        public List<string> Tied { get; } = [];
    }
}
