using PrunerCluster.Pruning.Graph;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PrunerCluster.Pruning.Models;

/// <summary>
/// An executable network: a <see cref="ModelGraph"/> (built-in architecture or imported ONNX) run node by node, with one TorchSharp
/// module per Conv/BatchNorm/Linear node (named after the node, so state dicts read <c>conv1.weight</c>). Its layer list, tensor-to-group
/// bindings and groups come from <see cref="GraphAnalysis"/>, which is the one place dependency groups are derived.
/// </summary>
public sealed class ZooModel : nn.Module<Tensor, Tensor>
{
    private readonly Dictionary<string, nn.Module<Tensor, Tensor>> layerModules = new(StringComparer.Ordinal);

    /// <summary>Builds the graph's modules and initializes them from <paramref name="seed"/> (He-uniform, classifier 1/sqrt(fan_in), zero biases).</summary>
    public ZooModel(ModelGraph graph, ArchitectureSpec architecture, ulong seed)
        : base(architecture?.Kind ?? throw new ArgumentNullException(nameof(architecture)))
    {
        ArgumentNullException.ThrowIfNull(graph);
        Graph = graph;
        Analysis = GraphAnalysis.Of(graph);
        var derived = Analysis.Architecture(architecture.Kind);
        if (derived.InChannels != architecture.InChannels || derived.ImageSize != architecture.ImageSize || derived.Classes != architecture.Classes
            || !derived.Widths.OrderBy(w => w.Group, StringComparer.Ordinal).SequenceEqual(architecture.Widths.OrderBy(w => w.Group, StringComparer.Ordinal)))
        {
            throw new ArgumentException($"Architecture {architecture.ToCanonicalString()} does not describe graph '{graph.Name}', whose derived shape is {derived.ToCanonicalString()}.", nameof(architecture));
        }

        Architecture = architecture;
        Layers = Analysis.Layers;
        Bindings = Analysis.Bindings;
        var shapes = Analysis.Shapes;
        foreach (var node in graph.Nodes.Where(n => n.HasParameters))
        {
            var input = shapes[node.Inputs[0]];
            nn.Module<Tensor, Tensor> module = node.Op switch
            {
                GraphOp.Conv => nn.Conv2d(input.Channels, node.Depthwise ? input.Channels : node.OutChannels, (node.Kernel, node.KernelW), (node.Stride, node.Stride), (node.Padding, node.PaddingW), (node.Dilation, node.Dilation), groups: node.Depthwise ? input.Channels : node.Groups, bias: node.Bias),
                GraphOp.BatchNorm => nn.BatchNorm2d(input.Channels, node.Epsilon, node.Momentum),
                _ => nn.Linear(input.Elements, node.OutChannels, hasBias: node.Bias),
            };
            layerModules.Add(node.Name, module);
            register_module(node.Name, module);
        }

        foreach (var node in graph.Nodes.Where(n => n.PerChannel))
        {
            var constant = new ChannelConstant(node.Name, shapes[node.Inputs[0]].Channels);
            layerModules.Add(node.Name, constant);
            register_module(node.Name, constant);
        }

        Initialize(seed);
        foreach (var p in parameters())
        {
            p.DetachFromDisposeScope();
        }

        foreach (var b in buffers())
        {
            b.DetachFromDisposeScope();
        }
    }

    public ModelGraph Graph { get; }

    public GraphAnalysis Analysis { get; }

    public ArchitectureSpec Architecture { get; }

    public IReadOnlyList<LayerDesc> Layers { get; }

    /// <summary>For each parameter/buffer name, the dimensions indexed by prunable-group units.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TensorBinding>> Bindings { get; }

    public long Macs => Layers.Sum(l => l.Macs);

    public long ParameterCount => Layers.Sum(l => l.Parameters);

    /// <summary>A freshly initialized model of the same graph with the architecture's group widths (weights are the caller's to copy).</summary>
    public ZooModel Resized(ArchitectureSpec architecture, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var widths = architecture.Widths.ToDictionary(w => w.Group, w => w.Units, StringComparer.Ordinal);
        return new ZooModel(Analysis.Resize(widths), architecture, seed);
    }

    public override Tensor forward(Tensor input)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [Graph.Input] = input };
        var created = new List<Tensor>();
        Tensor? output = null;
        try
        {
            foreach (var n in Graph.Nodes)
            {
                var x = values[n.Inputs[0]];
                var y = Run(n, x, values);
                created.Add(y);
                values[n.Output] = y;
            }

            output = values[Graph.Output];
            return output;
        }
        finally
        {
            // A pass that failed part-way never produced the output: every tensor it made goes, and its own exception propagates.
            foreach (var t in created)
            {
                if (!ReferenceEquals(t, output))
                {
                    t.Dispose();
                }
            }
        }
    }

    private Tensor Run(GraphNode n, Tensor x, Dictionary<string, Tensor> values)
    {
        if (n.PerChannel)
        {
            using var constant = ((ChannelConstant)layerModules[n.Name]).Broadcastable(x.dim());
            return Elementwise(n, n.ScalarFirst ? constant : x, n.ScalarFirst ? x : constant);
        }

        if (n.Op is GraphOp.Add or GraphOp.Mul or GraphOp.Sub or GraphOp.Div && n.Inputs.Count == 1)
        {
            using var scalar = torch.tensor((float)n.Alpha, dtype: x.dtype, device: x.device);
            return Elementwise(n, n.ScalarFirst ? scalar : x, n.ScalarFirst ? x : scalar);
        }

        if (n.Op is GraphOp.Add or GraphOp.Mul or GraphOp.Sub or GraphOp.Div)
        {
            return Elementwise(n, x, values[n.Inputs[1]]);
        }

        {
            return n.Op switch
            {
                GraphOp.Conv when PaddedConvolution.Applies(n, x) => PaddedConvolution.Forward(n, (Conv2d)layerModules[n.Name], x, padInput: n.Inputs[0] != Graph.Input),
                GraphOp.Conv or GraphOp.BatchNorm or GraphOp.Linear => layerModules[n.Name].call(x),
                GraphOp.Relu => F.relu(x),
                GraphOp.LeakyRelu => F.leaky_relu(x, n.Alpha),
                GraphOp.Clip => Clip(x, n.Min, n.Max),
                GraphOp.Sigmoid => torch.sigmoid(x),
                GraphOp.HardSwish => F.hardswish(x),
                GraphOp.MaxPool => F.max_pool2d(x, n.Kernel, n.Stride, n.Padding, ceil_mode: n.CeilMode),
                GraphOp.AvgPool => F.avg_pool2d(x, n.Kernel, n.Stride, n.Padding, ceil_mode: n.CeilMode, count_include_pad: n.CountIncludePad),
                GraphOp.GlobalAvgPool => F.adaptive_avg_pool2d(x, 1),
                GraphOp.HardSigmoid => HardSigmoid(x, n.Alpha, n.Beta),
                GraphOp.Unflatten => x.view(x.shape[0], -1, 1, 1),
                GraphOp.Slice => x.narrow(1, n.ChannelStart, n.ChannelCount),
                GraphOp.ChannelShuffle => Shuffle(x, n.Groups),
                GraphOp.Concat => torch.cat(n.Inputs.Select(i => values[i]).ToArray(), 1),
                GraphOp.Flatten => x.flatten(1),
                GraphOp.Softmax => F.softmax(x, 1),
                GraphOp.Identity => x.alias(),
                _ => throw new GraphException($"Node '{n.Name}': operator {n.Op} cannot be executed."),
            };
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var m in layerModules.Values)
            {
                m.Dispose();
            }

            layerModules.Clear();
        }

        base.Dispose(disposing);
    }

    /// <summary>ONNX Clip as clamp. Not F.hardtanh: in TorchSharp 0.107 it leaves values below min_val unchanged (hardtanh(-2.95, 0, 6) gave
    /// -2.95), so a Relu6 passed negatives through and the model disagreed with ONNX Runtime.</summary>
    private static Tensor Elementwise(GraphNode n, Tensor a, Tensor b) => n.Op switch
    {
        GraphOp.Add => a.add(b),
        GraphOp.Sub => a.sub(b),
        GraphOp.Mul => a.mul(b),
        _ => a.div(b),
    };

    private static Tensor Shuffle(Tensor x, int groups)
    {
        using var grouped = x.view(x.shape[0], groups, -1, x.shape[2], x.shape[3]);
        using var swapped = grouped.transpose(1, 2);
        return swapped.reshape(x.shape[0], -1, x.shape[2], x.shape[3]);
    }

    private static Tensor HardSigmoid(Tensor x, double alpha, double beta)
    {
        using var scaled = x.mul(alpha);
        using var shifted = scaled.add(beta);
        return shifted.clamp(0, 1);
    }

        private static Tensor Clip(Tensor x, double min, double max) =>
        (double.IsFinite(min), double.IsFinite(max)) switch
        {
            (true, true) => x.clamp(min, max),
            (true, false) => x.clamp_min(min),
            (false, true) => x.clamp_max(max),
            _ => x.alias(),
        };

    /// <summary>He-uniform weights (classifier: 1/sqrt(fan_in)), zero biases, BN gamma 1: drawn from a managed PRNG so init never depends on torch's global generator.</summary>
    private void Initialize(ulong seed)
    {
        var rng = new DeterministicRandom(seed, stream: 0x1A17);
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        foreach (var layer in Layers)
        {
            if (layer.Kind == LayerKind.BatchNorm)
            {
                continue;
            }

            var module = layerModules[layer.Name];
            var fanIn = (double)layer.InUnits * layer.InRepeat * layer.Kernel * layer.KernelW;
            var bound = IsClassifier(layer.Name) ? 1.0 / Math.Sqrt(fanIn) : Math.Sqrt(6.0 / fanIn);
            foreach (var (name, p) in module.named_parameters())
            {
                if (name == "weight")
                {
                    var values = new float[p.numel()];
                    for (var i = 0; i < values.Length; i++)
                    {
                        values[i] = (float)(((2 * rng.NextDouble()) - 1) * bound);
                    }

                    using var t = torch.tensor(values, p.shape);
                    p.copy_(t);
                }
                else
                {
                    p.zero_();
                }
            }
        }
    }

    private bool IsClassifier(string layer) => Graph.Nodes.Any(n => n.Name == layer && n.Output == Graph.Output)
        || (Graph.Nodes.LastOrDefault(n => n.Op == GraphOp.Linear)?.Name == layer && Layers.Last(l => l.Kind != LayerKind.BatchNorm).Name == layer);
}
