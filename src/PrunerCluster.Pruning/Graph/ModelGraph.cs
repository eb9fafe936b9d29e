using System.Globalization;
using System.Text;

namespace PrunerCluster.Pruning.Graph;

/// <summary>
/// A network as a list of nodes in execution order over named values, with one image input (C x H x W per sample) and one output:
/// the single representation that the built-in zoo and ONNX import produce, that dependency groups are derived from, that shrinking
/// resizes and that ONNX export writes.
/// </summary>
public sealed record ModelGraph(string Name, string Input, int InChannels, int ImageSize, IReadOnlyList<GraphNode> Nodes, string Output)
{
    /// <summary>Per-sample shapes of every value, in node order; throws <see cref="GraphException"/> naming the node when shapes do not fit.</summary>
    public IReadOnlyDictionary<string, ValueShape> InferShapes()
    {
        var shapes = new Dictionary<string, ValueShape>(StringComparer.Ordinal) { [Input] = new(InChannels, ImageSize, ImageSize) };
        foreach (var n in Nodes)
        {
            var inputs = n.Inputs.Select(i => shapes.TryGetValue(i, out var s) ? s : throw new GraphException($"Node '{n.Name}' ({n.Op}) reads '{i}', which no earlier node produces.")).ToArray();
            shapes[n.Output] = Infer(n, inputs);
        }

        if (!shapes.ContainsKey(Output))
        {
            throw new GraphException($"Graph output '{Output}' is produced by no node.");
        }

        return shapes;
    }

    public GraphNode Node(string name) => Nodes.FirstOrDefault(n => n.Name == name) ?? throw new GraphException($"Graph '{Name}' has no node '{name}'.");

    public string ToCanonicalString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Name};{Input};{InChannels};{ImageSize};{Output};");
        foreach (var n in Nodes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{n.Name}:{n.Op}:{string.Join(',', n.Inputs)}>{n.Output}:{n.OutChannels}:{n.Kernel}:{n.Stride}:{n.Padding}:{n.Dilation}:{n.Groups}:{n.Depthwise}:{n.Bias}:{n.Alpha:R}:{n.Min:R}:{n.Max:R}:{n.Epsilon:R}:{n.CountIncludePad}:{n.GroupHint}{(n.CeilMode ? ":ceil" : "")}{(n.Beta != 0 ? $":beta{n.Beta:R}" : "")}{(n.ScalarFirst ? ":scalar-first" : "")}{(n.PerChannel ? ":per-channel" : "")}{(n.Op == GraphOp.Slice ? $":{n.ChannelStart}+{n.ChannelCount}" : "")}{(n.KernelWidth is { } kw ? $":kw{kw}" : "")}{(n.PaddingWidth is { } pw ? $":pw{pw}" : "")};");
        }

        return sb.ToString();
    }

    private static ValueShape Infer(GraphNode n, ValueShape[] inputs)
    {
        if (inputs.Length == 0)
        {
            throw new GraphException($"Node '{n.Name}' ({n.Op}) has no input.");
        }

        var x = inputs[0];
        switch (n.Op)
        {
            case GraphOp.Conv:
            {
                RequireMap(n, x);
                var groups = n.Depthwise ? x.Channels : n.Groups;
                if (x.Channels % groups != 0 || (n.Depthwise ? false : n.OutChannels % groups != 0))
                {
                    throw new GraphException($"Node '{n.Name}' (Conv): {x.Channels} input and {n.OutChannels} output channels are not divisible by groups = {groups}.");
                }

                var size = Out(x.Height, n.Kernel, n.Stride, n.Padding, n.Dilation, n);
                var width = Out(x.Width, n.KernelW, n.Stride, n.PaddingW, n.Dilation, n);
                if (width != size)
                {
                    throw new GraphException($"Node '{n.Name}' (Conv) with kernel {n.Kernel}x{n.KernelW} and padding {n.Padding}, {n.PaddingW} turns its {x} input into a {size}x{width} map; only square feature maps are supported.");
                }

                return new(n.Depthwise ? x.Channels : n.OutChannels, size, size);
            }

            case GraphOp.Linear:
                return new(n.OutChannels, 0, 0);
            case GraphOp.MaxPool:
            case GraphOp.AvgPool:
            {
                RequireMap(n, x);
                var size = Out(x.Height, n.Kernel, n.Stride, n.Padding, 1, n, n.CeilMode);
                return new(x.Channels, size, size);
            }

            case GraphOp.GlobalAvgPool:
                RequireMap(n, x);
                return new(x.Channels, 1, 1);
            case GraphOp.Flatten:
                return new((int)x.Elements, 0, 0);
            case GraphOp.Concat:
                if (inputs.Any(i => i.Height != x.Height || i.Width != x.Width))
                {
                    throw new GraphException($"Node '{n.Name}' (Concat) joins inputs of different spatial size: {string.Join(", ", inputs)}.");
                }

                return x with { Channels = inputs.Sum(i => i.Channels) };
            case GraphOp.Add:
            case GraphOp.Mul:
            case GraphOp.Sub:
            case GraphOp.Div:
                return Broadcast.Shape(n, inputs);
            case GraphOp.Slice:
                return n.ChannelStart >= 0 && n.ChannelCount >= 1 && n.ChannelStart + n.ChannelCount <= x.Channels
                    ? x with { Channels = n.ChannelCount }
                    : throw new GraphException($"Node '{n.Name}' (Slice) takes channels {n.ChannelStart} .. {n.ChannelStart + n.ChannelCount - 1} of a {x} input.");
            case GraphOp.ChannelShuffle:
                RequireMap(n, x);
                return n.Groups >= 1 && x.Channels % n.Groups == 0 ? x : throw new GraphException($"Node '{n.Name}' (channel shuffle) cannot split {x.Channels} channels into {n.Groups} equal groups.");
            case GraphOp.Unflatten:
                return x.IsFlat ? new(x.Channels, 1, 1) : throw new GraphException($"Node '{n.Name}' (reshape to N x C x 1 x 1) needs a flat vector but gets a {x} feature map.");
            default:
                return x;
        }
    }

    private static void RequireMap(GraphNode n, ValueShape x)
    {
        if (x.IsFlat)
        {
            throw new GraphException($"Node '{n.Name}' ({n.Op}) needs a C x H x W feature map but gets a flat vector {x}.");
        }
    }

    private static int Out(int size, int kernel, int stride, int padding, int dilation, GraphNode n, bool ceil = false)
    {
        if (kernel < 1 || stride < 1 || dilation < 1 || padding < 0)
        {
            throw new GraphException($"Node '{n.Name}' ({n.Op}) has kernel {kernel}, stride {stride}, dilation {dilation}, padding {padding}: kernel, stride and dilation must be at least 1 and padding at least 0.");
        }

        var span = size + (2 * padding) - (dilation * (kernel - 1)) - 1;
        var o = (span >= 0 && ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && span >= 0 && (o - 1) * stride >= size + padding)
        {
            // ONNX and PyTorch: a window that would start in the right padding (beyond the input) is dropped.
            o--;
        }

        return o >= 1 ? o : throw new GraphException($"Node '{n.Name}' ({n.Op}) with kernel {kernel}, stride {stride}, padding {padding} does not fit its {size}x{size} input.");
    }
}
