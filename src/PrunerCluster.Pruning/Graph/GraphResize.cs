namespace PrunerCluster.Pruning.Graph;

/// <summary>Resizing: the analysed graph with new group widths, each producer's outputs and each slice recomputed from the channel spaces.</summary>
public sealed partial class GraphAnalysis
{
    /// <summary>
    /// The same graph with each named group's width set (others unchanged): a dense layer's outputs are the sum of its parts' widths, as
    /// a layer whose outputs were split between groups (tied to a Concat's inputs) produces one part per group.
    /// </summary>
    public ModelGraph Resize(IReadOnlyDictionary<string, int> widths)
    {
        ArgumentNullException.ThrowIfNull(widths);
        foreach (var (group, units) in widths)
        {
            if (!Groups.Any(x => x.Name == group))
            {
                throw new ArgumentException($"Graph '{Graph.Name}' has no group '{group}'; groups: {string.Join(", ", Groups.Select(x => x.Name))}.", nameof(widths));
            }

            if (units < 1)
            {
                throw new ArgumentException($"Group '{group}' needs at least 1 unit, got {units}.", nameof(widths));
            }

            if (Groups.First(x => x.Name == group).MinKeep is var least && units < least)
            {
                throw new ArgumentException($"Group '{group}' needs at least {least} units, got {units}: a grouped convolution it holds would be left with one group.", nameof(widths));
            }
        }

        int Width(ChannelSegment leaf) => groupOfRoot.TryGetValue(spaces.Find(leaf.Space), out var g) && widths.TryGetValue(g, out var u) ? u * spaces.Granularity(leaf.Space) : leaf.Channels;
        var nodes = Graph.Nodes.Select(n => n.Op switch
        {
            GraphOp.Conv or GraphOp.Linear when !n.Depthwise => ResizedProducer(n, spaces.Expand(values[n.Output].Segments).Sum(Width)),
            GraphOp.Slice => ResizedSlice(n, Width),
            _ => n,
        }).ToArray();
        return Graph with { Nodes = nodes };
    }

    /// <summary>A dense or grouped layer with <paramref name="outChannels"/> outputs; a grouped convolution keeps its channels per group.</summary>
    private static GraphNode ResizedProducer(GraphNode n, int outChannels) =>
        n with { OutChannels = outChannels, Groups = n.Groups > 1 ? outChannels / (n.OutChannels / n.Groups) : n.Groups };

    /// <summary>
    /// A channel slice after resizing: its start and count in the resized input. Its ends fall on part boundaries, or inside a fixed part
    /// (a slice through whole conv groups keeps its input whole), which keeps its width.
    /// </summary>
    private GraphNode ResizedSlice(GraphNode n, Func<ChannelSegment, int> width)
    {
        var (offset, start, count) = (0, 0, 0);
        foreach (var leaf in spaces.Expand(values[n.Inputs[0]].Segments))
        {
            var before = Math.Clamp(n.ChannelStart - offset, 0, leaf.Channels);
            var inside = Math.Clamp(n.ChannelStart + n.ChannelCount - offset, 0, leaf.Channels) - before;
            var resized = width(leaf);
            if (before == leaf.Channels)
            {
                start += resized;
            }
            else if (inside == leaf.Channels)
            {
                count += resized;
            }
            else if (resized == leaf.Channels)
            {
                (start, count) = (start + before, count + inside);
            }
            else if (inside > 0)
            {
                throw new GraphException($"Slice '{n.Name}' ends inside channels {offset} .. {offset + leaf.Channels - 1} of its input, which are resized.");
            }

            offset += leaf.Channels;
        }

        return n with { ChannelStart = start, ChannelCount = count };
    }
}
