using System.Globalization;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;

namespace PrunerCluster.Pruning.Graph;

/// <summary>
/// Dependency groups derived from a <see cref="ModelGraph"/>: every value's channel axis is a list of channel spaces; a dense conv or linear
/// layer creates a space; BatchNorm, activations, pooling and depthwise convs pass their input's spaces through; Add/Mul/Sub/Div tie their
/// operands' spaces (a per-channel C x 1 x 1 gate, as in squeeze-and-excitation, is tied to the map it scales); Concat lays spaces side by side (offsets); Flatten repeats each channel H*W times for the first linear layer. Spaces
/// reaching the graph input or output, grouped convs, mismatched element-wise operands and excluded layers are fixed; every other space
/// with a producer is one prunable group.
/// </summary>
public sealed class GraphAnalysis
{
    private readonly List<Space> spaces = [];
    private readonly Dictionary<string, Value> values = new(StringComparer.Ordinal);
    private readonly List<(string Tensor, int Dim, IReadOnlyList<Seg> Segments, int Repeat, bool Produces, string Node)> raw = [];

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

    /// <summary>The same graph with each named group's producers set to the given width (others unchanged).</summary>
    public ModelGraph Resize(IReadOnlyDictionary<string, int> widths)
    {
        ArgumentNullException.ThrowIfNull(widths);
        var byProducer = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (group, units) in widths)
        {
            var g = Groups.FirstOrDefault(x => x.Name == group) ?? throw new ArgumentException($"Graph '{Graph.Name}' has no group '{group}'; groups: {string.Join(", ", Groups.Select(x => x.Name))}.", nameof(widths));
            if (units < 1)
            {
                throw new ArgumentException($"Group '{group}' needs at least 1 unit, got {units}.", nameof(widths));
            }

            foreach (var p in g.Producers)
            {
                byProducer[p] = units;
            }
        }

        var nodes = Graph.Nodes.Select(n => n.Op is GraphOp.Conv or GraphOp.Linear && !n.Depthwise && byProducer.TryGetValue(n.Name, out var u) ? n with { OutChannels = u } : n).ToArray();
        return Graph with { Nodes = nodes };
    }

    public ArchitectureSpec Architecture(string kind) =>
        new(kind, Graph.InChannels, Graph.ImageSize, Classes, Groups.Select(g => new GroupWidth(g.Name, g.Units)).ToArray());

    private void Run(IReadOnlyCollection<string> exclude)
    {
        var input = NewSpace(Graph.InChannels, null);
        spaces[input].Fixed = true;
        values[Graph.Input] = new([new Seg(input, Graph.InChannels)], 1);
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
                layers.Add(new(n.Name, LayerKind.Conv, null, null, 1, Shapes[n.Output].Channels, n.Kernel, n.Stride, n.Padding, inShape.Height, Shapes[n.Output].Height, n.Bias));
                return DepthwiseConv(n, x);
            case GraphOp.Conv:
                layers.Add(new(n.Name, LayerKind.Conv, null, null, inShape.Channels / n.Groups, n.OutChannels, n.Kernel, n.Stride, n.Padding, inShape.Height, Shapes[n.Output].Height, n.Bias));
                return Producer(n, x, fixedInput: n.Groups > 1);
            case GraphOp.Linear:
                layers.Add(new(n.Name, LayerKind.Linear, null, null, x.Segments.Sum(g => g.Units), n.OutChannels, Bias: n.Bias, InRepeat: x.Repeat));
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
            case GraphOp.Add or GraphOp.Mul or GraphOp.Sub or GraphOp.Div when n.Inputs.Count == 2:
                Tie(x, values[n.Inputs[1]]);
                return values[n.Inputs[Broadcast.MapOperand([inShape, Shapes[n.Inputs[1]]], Shapes[n.Output])]];
            case GraphOp.Unflatten when x.Repeat != 1:
                throw new GraphException($"Node '{n.Name}' reshapes a flattened {inShape.Channels / x.Repeat}-channel map into N x {inShape.Channels} x 1 x 1; only a vector of one value per channel can become a per-channel gate.");
            default:
                return x;
        }
    }

    /// <summary>A depthwise convolution passes its input's spaces through, each tied to the layer.</summary>
    private Value DepthwiseConv(GraphNode n, Value x)
    {
        Bind(n, "weight", 0, x, produces: true);
        if (n.Bias)
        {
            Bind(n, "bias", 0, x, produces: true);
        }

        foreach (var s in x.Segments)
        {
            spaces[s.Space].Tied.Add(n.Name);
        }

        return x;
    }

    /// <summary>A dense convolution or linear layer: a new space for its outputs; a grouped convolution fixes both sides.</summary>
    private Value Producer(GraphNode n, Value x, bool fixedInput)
    {
        var s = NewSpace(n.OutChannels, n);
        var output = new Value([new Seg(s, n.OutChannels)], 1);
        if (fixedInput)
        {
            Fix(x);
            spaces[s].Fixed = true;
        }
        else
        {
            Bind(n, "weight", 1, x, produces: false);
        }

        Bind(n, "weight", 0, output, produces: true);
        if (n.Bias)
        {
            Bind(n, "bias", 0, output, produces: true);
        }

        return output;
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

    /// <summary>Element-wise operands with the same layout share their spaces; mismatched ones are fixed.</summary>
    private void Tie(Value x, Value y)
    {
        if (x.Repeat == y.Repeat && x.Segments.Count == y.Segments.Count && x.Segments.Zip(y.Segments).All(p => p.First.Units == p.Second.Units))
        {
            foreach (var (a, b) in x.Segments.Zip(y.Segments))
            {
                Union(a.Space, b.Space);
            }
        }
        else
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
        var names = new Dictionary<int, string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<PrunableGroup>();
        foreach (var root in Enumerable.Range(0, spaces.Count).Where(i => Find(i) == i))
        {
            var members = Enumerable.Range(0, spaces.Count).Where(i => Find(i) == root).ToArray();
            if (members.Any(m => spaces[m].Fixed) || !members.Any(m => spaces[m].Producer is not null))
            {
                continue;
            }

            var producers = Graph.Nodes.Where(n => members.Any(m => spaces[m].Producer == n.Name)).ToArray();
            var hinted = producers.FirstOrDefault(p => p.GroupHint is not null);
            var name = hinted?.GroupHint ?? producers[0].Name;
            for (var k = 2; !used.Add(name); k++)
            {
                name = string.Create(CultureInfo.InvariantCulture, $"{hinted?.GroupHint ?? producers[0].Name}_{k}");
            }

            names[root] = name;
        }

        var bindings = new Dictionary<string, List<TensorBinding>>(StringComparer.Ordinal);
        var producersOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var consumersOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (tensor, dim, segments, repeat, produces, node) in raw)
        {
            var offset = 0;
            foreach (var seg in segments)
            {
                if (names.TryGetValue(Find(seg.Space), out var group))
                {
                    if (!bindings.TryGetValue(tensor, out var list))
                    {
                        bindings[tensor] = list = [];
                    }

                    list.Add(new TensorBinding(tensor, dim, group, repeat, produces, offset));
                    var target = produces ? producersOf : consumersOf;
                    if (!target.TryGetValue(group, out var nodes))
                    {
                        target[group] = nodes = [];
                    }

                    if (!nodes.Contains(node))
                    {
                        nodes.Add(node);
                    }
                }

                offset += seg.Units * repeat;
            }
        }

        foreach (var (root, name) in names.OrderBy(p => Graph.Nodes.ToList().FindIndex(n => n.Name == spaces[Enumerable.Range(0, spaces.Count).First(i => Find(i) == p.Key && spaces[i].Producer is not null)].Producer)))
        {
            var members = Enumerable.Range(0, spaces.Count).Where(i => Find(i) == root).ToArray();
            var dense = members.Where(m => spaces[m].Producer is not null).Select(m => Graph.Node(spaces[m].Producer!)).ToArray();
            var kind = dense.Length > 1 ? GroupKinds.ResidualChannels : dense[0].Op == GraphOp.Linear ? GroupKinds.LinearNeurons : GroupKinds.ConvChannels;
            var consumers = consumersOf.GetValueOrDefault(name) ?? [];
            consumers.AddRange(members.SelectMany(m => spaces[m].Tied).Where(t => !consumers.Contains(t)));
            groups.Add(new PrunableGroup(name, spaces[root].Units, kind, producersOf.GetValueOrDefault(name)?.ToArray() ?? [], consumers.ToArray()));
        }

        Groups = groups;
        Bindings = bindings.ToDictionary(b => b.Key, b => (IReadOnlyList<TensorBinding>)b.Value, StringComparer.Ordinal);
        Layers = layers.Select(l => l with { InGroup = SingleGroup(l.Name + ".weight", produces: false), OutGroup = SingleGroup(l.Name + ".weight", produces: true) }).ToArray();
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

    private int NewSpace(int units, GraphNode? producer)
    {
        spaces.Add(new Space(units, producer?.Name) { Parent = spaces.Count });
        return spaces.Count - 1;
    }

    private void Fix(Value v)
    {
        foreach (var s in v.Segments)
        {
            spaces[Find(s.Space)].Fixed = true;
        }
    }

    private int Find(int i)
    {
        while (spaces[i].Parent != i)
        {
            i = spaces[i].Parent = spaces[spaces[i].Parent].Parent;
        }

        return i;
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

    private sealed record Seg(int Space, int Units);

    private sealed record Value(IReadOnlyList<Seg> Segments, int Repeat);

    private sealed class Space(int units, string? producer)
    {
        public int Units { get; } = units;

        public string? Producer { get; } = producer;

        public bool Fixed { get; set; }

        public int Parent { get; set; } = -1;

        public List<string> Tied { get; } = [];
    }
}
