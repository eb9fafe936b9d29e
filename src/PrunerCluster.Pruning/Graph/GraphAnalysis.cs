using System.Globalization;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;

namespace PrunerCluster.Pruning.Graph;

/// <summary>
/// Dependency groups derived from a <see cref="ModelGraph"/>: every value's channel axis is a list of channel spaces; a dense conv or linear
/// layer creates a space; BatchNorm, activations, pooling and depthwise convs pass their input's spaces through; Add/Mul/Sub/Div tie their
/// operands' spaces (a per-channel C x 1 x 1 gate, as in squeeze-and-excitation, is tied to the map it scales); Concat lays spaces side by side (offsets); Flatten repeats each channel H*W times for the first linear layer.
/// A grouped conv is pruned group by group (<see cref="ConvGroupCoupling"/>): a unit of its input's and output's spaces is whole conv groups; a
/// channel shuffle ties its groups' channels (<see cref="ChannelShuffleCoupling"/>). Spaces reaching the graph input or output, grouped convs
/// and shuffles whose input cannot be cut at group boundaries, mismatched element-wise operands and excluded layers are fixed; every other
/// space with a producer is one prunable group.
/// </summary>
public sealed partial class GraphAnalysis
{
    private readonly ChannelSpaces spaces = new();
    private readonly Dictionary<string, Value> values = new(StringComparer.Ordinal);
    private readonly List<(string Tensor, int Dim, IReadOnlyList<ChannelSegment> Segments, int Repeat, bool Produces, string Node)> raw = [];
    private readonly Dictionary<int, string> groupOfRoot = [];

    private GraphAnalysis(ModelGraph graph, IReadOnlyCollection<string> exclude)
    {
        Graph = graph;
        Shapes = graph.InferShapes();
        Run(exclude);
    }

    public ModelGraph Graph { get; }

    public IReadOnlyDictionary<string, ValueShape> Shapes { get; }

    public IReadOnlyList<PrunableGroup> Groups { get; private set; } = [];

    public IReadOnlyList<LayerDesc> Layers { get; private set; } = [];

    public IReadOnlyDictionary<string, IReadOnlyList<TensorBinding>> Bindings { get; private set; } = new Dictionary<string, IReadOnlyList<TensorBinding>>();

    /// <summary>Output classes (the graph output must be a flat vector).</summary>
    public int Classes { get; private set; }

    /// <summary>Analyzes <paramref name="graph"/>; <paramref name="exclude"/> names layers (node or source names) whose output channels stay whole.</summary>
    public static GraphAnalysis Of(ModelGraph graph, IReadOnlyCollection<string>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return new GraphAnalysis(graph, exclude ?? []);
    }

    public ArchitectureSpec Architecture(string kind) =>
        new(kind, Graph.InChannels, Graph.ImageSize, Classes, Groups.Select(g => new GroupWidth(g.Name, g.Units)).ToArray());

    private void Run(IReadOnlyCollection<string> exclude)
    {
        var input = spaces.New(Graph.InChannels, null);
        values[Graph.Input] = new([new ChannelSegment(input, Graph.InChannels)], 1);
        spaces.Fix(values[Graph.Input].Segments);
        var layers = new List<LayerDesc>();
        foreach (var n in Graph.Nodes)
        {
            values[n.Output] = Visit(n, layers);
        }

        var final = Shapes[Graph.Output];
        if (!final.IsFlat)
        {
            throw new GraphException($"Graph output '{Graph.Output}' is a {final} feature map; a classifier must end in a vector of class scores (Flatten/Gemm).");
        }

        Classes = final.Channels;
        Fix(values[Graph.Output]);
        FixExcluded(exclude);
        BuildGroups(layers);
    }

    /// <summary>The channel spaces of <paramref name="n"/>'s output; binds its tensors and adds its layer to <paramref name="layers"/>.</summary>
    private Value Visit(GraphNode n, List<LayerDesc> layers)
    {
        var x = values[n.Inputs[0]];
        var inShape = Shapes[n.Inputs[0]];
        switch (n.Op)
        {
            case GraphOp.Conv when n.Depthwise:
                layers.Add(new(n.Name, LayerKind.Conv, null, null, 1, Shapes[n.Output].Channels, n.Kernel, n.Stride, n.Padding, inShape.Height, Shapes[n.Output].Height, n.Bias, KernelWidth: n.KernelWidth, PaddingWidth: n.PaddingWidth));
                return DepthwiseConv(n, x);
            case GraphOp.Conv:
                layers.Add(new(n.Name, LayerKind.Conv, null, null, inShape.Channels / n.Groups, n.OutChannels, n.Kernel, n.Stride, n.Padding, inShape.Height, Shapes[n.Output].Height, n.Bias, KernelWidth: n.KernelWidth, PaddingWidth: n.PaddingWidth));
                return n.Groups > 1 ? GroupedConv(n, x, inShape.Channels) : Producer(n, x, fixedInput: false);
            case GraphOp.Linear:
                layers.Add(new(n.Name, LayerKind.Linear, null, null, x.Segments.Sum(g => g.Channels), n.OutChannels, Bias: n.Bias, InRepeat: x.Repeat));
                return Producer(n, x, fixedInput: false);
            case GraphOp.BatchNorm:
                foreach (var t in new[] { "weight", "bias", "running_mean", "running_var" })
                {
                    Bind(n, t, 0, x, produces: true);
                }

                layers.Add(new(n.Name, LayerKind.BatchNorm, null, null, inShape.Channels, inShape.Channels, InSize: inShape.Height, OutSize: inShape.Height));
                return x;
            case GraphOp.Flatten:
                return inShape.IsFlat ? x : new(x.Segments, x.Repeat * inShape.Height * inShape.Width);
            case GraphOp.Concat:
                return Concat(n);
            case GraphOp.Add or GraphOp.Mul or GraphOp.Sub or GraphOp.Div when n.PerChannel:
                if (x.Repeat != 1)
                {
                    throw new GraphException($"Node '{n.Name}' ({n.Op}) applies a per-channel constant to a flattened map; only feature maps and vectors of one value per channel are supported.");
                }

                Bind(n, "weight", 0, x, produces: true);
                return x;
            case GraphOp.Add or GraphOp.Mul or GraphOp.Sub or GraphOp.Div when n.Inputs.Count == 2:
                Tie(x, values[n.Inputs[1]]);
                return values[n.Inputs[Broadcast.MapOperand([inShape, Shapes[n.Inputs[1]]], Shapes[n.Output])]];
            case GraphOp.ChannelShuffle:
                return Shuffled(n, x, inShape.Channels);
            case GraphOp.Slice when x.Repeat != 1:
                throw new GraphException($"Node '{n.Name}' (Slice) takes channels of a flattened map; only channel slices of feature maps (or of vectors of one value per channel) are supported.");
            case GraphOp.Slice:
                return new(spaces.Range(x.Segments, n.ChannelStart, n.ChannelCount), 1);
            case GraphOp.Unflatten when x.Repeat != 1:
                throw new GraphException($"Node '{n.Name}' reshapes a flattened {inShape.Channels / x.Repeat}-channel map into N x {inShape.Channels} x 1 x 1; only a vector of one value per channel can become a per-channel gate.");
            default:
                return x;
        }
    }

    /// <summary>A channel shuffle: channel i of each of its groups is one unit (<see cref="ChannelShuffleCoupling"/>); else both sides are kept whole.</summary>
    private Value Shuffled(GraphNode n, Value x, int channels)
    {
        if (x.Repeat == 1 && ChannelShuffleCoupling.Couple(spaces, x.Segments, channels, n.Groups) is { } coupled)
        {
            return new Value(coupled, 1);
        }

        Fix(x);
        var output = new Value([new ChannelSegment(spaces.New(channels, null), channels)], 1);
        Fix(output);
        return output;
    }

    /// <summary>A depthwise convolution passes its input's spaces through, each tied to the layer.</summary>
    private Value DepthwiseConv(GraphNode n, Value x)
    {
        Bind(n, "weight", 0, x, produces: true);
        if (n.Bias)
        {
            Bind(n, "bias", 0, x, produces: true);
        }

        spaces.AddTied(x.Segments, n.Name);
        return x;
    }

    /// <summary>A grouped convolution: one unit per conv group where its input can be cut at group boundaries, else both sides fixed.</summary>
    private Value GroupedConv(GraphNode n, Value x, int inChannels)
    {
        if (ConvGroupCoupling.Couple(spaces, x.Segments, inChannels / n.Groups, n.OutChannels / n.Groups, n.Name) is not { } coupled)
        {
            return Producer(n, x, fixedInput: true);
        }

        var output = new Value(coupled, 1);
        BindOutput(n, output);
        return output;
    }

    /// <summary>A dense convolution or linear layer: a new space for its outputs; with <paramref name="fixedInput"/> both sides are fixed.</summary>
    private Value Producer(GraphNode n, Value x, bool fixedInput)
    {
        var output = new Value([new ChannelSegment(spaces.New(n.OutChannels, n.Name), n.OutChannels)], 1);
        if (fixedInput)
        {
            Fix(x);
            Fix(output);
        }
        else
        {
            Bind(n, "weight", 1, x, produces: false);
        }

        BindOutput(n, output);
        return output;
    }

    private void BindOutput(GraphNode n, Value output)
    {
        Bind(n, "weight", 0, output, produces: true);
        if (n.Bias)
        {
            Bind(n, "bias", 0, output, produces: true);
        }
    }

    private Value Concat(GraphNode n)
    {
        var all = n.Inputs.Select(i => values[i]).ToArray();
        if (all.Any(v => v.Repeat != 1))
        {
            throw new GraphException($"Node '{n.Name}' (Concat) joins flattened vectors; only channel concatenation of feature maps is supported.");
        }

        return new(all.SelectMany(v => v.Segments).ToArray(), 1);
    }

    /// <summary>Element-wise operands share their channels (spaces split where their layouts differ); operands that cannot be aligned are fixed.</summary>
    private void Tie(Value x, Value y)
    {
        if (x.Repeat != y.Repeat || !spaces.Tie(x.Segments, y.Segments))
        {
            Fix(x);
            Fix(y);
        }
    }

    private void FixExcluded(IReadOnlyCollection<string> exclude)
    {
        foreach (var n in Graph.Nodes.Where(n => exclude.Contains(n.Name) || (n.SourceName is not null && exclude.Contains(n.SourceName))))
        {
            Fix(values[n.Output]);
        }

        var unknown = exclude.Where(e => !Graph.Nodes.Any(n => n.Name == e || n.SourceName == e)).ToArray();
        if (unknown.Length > 0)
        {
            throw new GraphException($"Excluded layer(s) {string.Join(", ", unknown)} are not in graph '{Graph.Name}'; layers: {string.Join(", ", Graph.Nodes.Where(n => n.HasParameters).Select(n => n.Name))}.");
        }
    }

    private void BuildGroups(List<LayerDesc> layers)
    {
        var position = ProducerPositions();
        var classes = spaces.Leaves().GroupBy(spaces.Find).ToDictionary(c => c.Key, c => c.ToArray());
        (int, int) First(int root) => classes[root].Where(position.ContainsKey).Select(m => position[m]).DefaultIfEmpty((int.MaxValue, 0)).Min();
        NameGroups(classes.OrderBy(c => First(c.Key)).ThenBy(c => c.Key));
        var (bindings, producersOf, consumersOf) = CollectBindings();
        var groups = new List<PrunableGroup>();
        foreach (var (root, name) in groupOfRoot.OrderBy(p => First(p.Key)).ThenBy(p => p.Key))
        {
            var members = classes[root];
            var dense = members.Select(spaces.Producer).OfType<string>().Distinct(StringComparer.Ordinal).Select(Graph.Node).ToArray();
            var kind = dense.Any(n => n is { Op: GraphOp.Conv, Groups: > 1 }) ? GroupKinds.ConvGroups : dense.Length > 1 ? GroupKinds.ResidualChannels : dense[0].Op == GraphOp.Linear ? GroupKinds.LinearNeurons : GroupKinds.ConvChannels;
            var consumers = consumersOf.GetValueOrDefault(name) ?? [];
            consumers.AddRange(members.SelectMany(spaces.Tied).Distinct(StringComparer.Ordinal).Where(t => !consumers.Contains(t)).ToArray());
            var units = spaces.Units(root);
            groups.Add(new PrunableGroup(name, units, kind, producersOf.GetValueOrDefault(name)?.ToArray() ?? [], consumers.ToArray(), members.Any(OneConvGroupPerUnit) ? Math.Min(2, units) : 1));
        }

        Groups = groups;
        Bindings = bindings.ToDictionary(b => b.Key, b => (IReadOnlyList<TensorBinding>)b.Value, StringComparer.Ordinal);
        Layers = layers.Select(l => l with { InGroup = SingleGroup(l.Name + ".weight", produces: false), OutGroup = SingleGroup(l.Name + ".weight", produces: true) }).ToArray();
    }

    /// <summary>Whether the leaf is a grouped convolution's output whose units are single groups (keeping one would leave a dense convolution).</summary>
    private bool OneConvGroupPerUnit(int leaf) =>
        spaces.Producer(leaf) is { } p && Graph.Node(p) is { Op: GraphOp.Conv, Depthwise: false, Groups: > 1 } conv && spaces.Granularity(leaf) == conv.OutChannels / conv.Groups;

    /// <summary>Every class of coupled channels that is not fixed and has a producer becomes a group, named after its first producer (or hint).</summary>
    private void NameGroups(IEnumerable<KeyValuePair<int, int[]>> classes)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (root, members) in classes)
        {
            if (spaces.IsFixed(root) || !members.Any(m => spaces.Producer(m) is not null))
            {
                continue;
            }

            var producers = Graph.Nodes.Where(n => members.Any(m => spaces.Producer(m) == n.Name)).ToArray();
            var hinted = producers.FirstOrDefault(p => p.GroupHint is not null);
            var name = hinted?.GroupHint ?? producers[0].Name;
            for (var k = 2; !used.Add(name); k++)
            {
                name = string.Create(CultureInfo.InvariantCulture, $"{hinted?.GroupHint ?? producers[0].Name}_{k}");
            }

            groupOfRoot[root] = name;
        }
    }

    /// <summary>For each leaf space that a dense layer produces: the layer's position in the graph and the leaf's channel offset in its output.</summary>
    private Dictionary<int, (int Node, int Offset)> ProducerPositions()
    {
        var positions = new Dictionary<int, (int, int)>();
        for (var i = 0; i < Graph.Nodes.Count; i++)
        {
            if (Graph.Nodes[i] is { Op: GraphOp.Conv or GraphOp.Linear, Depthwise: false } n)
            {
                var offset = 0;
                foreach (var leaf in spaces.Expand(values[n.Output].Segments))
                {
                    positions.TryAdd(leaf.Space, (i, offset));
                    offset += leaf.Channels;
                }
            }
        }

        return positions;
    }

    private (Dictionary<string, List<TensorBinding>> Bindings, Dictionary<string, List<string>> Producers, Dictionary<string, List<string>> Consumers) CollectBindings()
    {
        var bindings = new Dictionary<string, List<TensorBinding>>(StringComparer.Ordinal);
        var producersOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var consumersOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (tensor, dim, segments, repeat, produces, node) in raw)
        {
            var offset = 0;
            foreach (var seg in spaces.Expand(segments))
            {
                if (groupOfRoot.TryGetValue(spaces.Find(seg.Space), out var group))
                {
                    Add(bindings, tensor, new TensorBinding(tensor, dim, group, repeat * spaces.Granularity(seg.Space), produces, offset));
                    var nodes = produces ? producersOf : consumersOf;
                    if (!nodes.TryGetValue(group, out var list) || !list.Contains(node))
                    {
                        Add(nodes, group, node);
                    }
                }

                offset += seg.Channels * repeat;
            }
        }

        return (bindings, producersOf, consumersOf);
    }

    private static void Add<T>(Dictionary<string, List<T>> lists, string key, T item)
    {
        if (!lists.TryGetValue(key, out var list))
        {
            lists[key] = list = [];
        }

        list.Add(item);
    }

    private string? SingleGroup(string tensor, bool produces)
    {
        if (!Bindings.TryGetValue(tensor, out var list))
        {
            return null;
        }

        var matching = list.Where(b => b.Produces == produces).Select(b => b.Group).Distinct(StringComparer.Ordinal).ToArray();
        return matching.Length == 1 ? matching[0] : null;
    }

    private void Bind(GraphNode n, string tensor, int dim, Value v, bool produces) =>
        raw.Add((n.Name + "." + tensor, dim, v.Segments, dim == 1 && n.Op == GraphOp.Linear ? v.Repeat : 1, produces, n.Name));

    private void Fix(Value v) => spaces.Fix(v.Segments);

    private sealed record Value(IReadOnlyList<ChannelSegment> Segments, int Repeat);
}
