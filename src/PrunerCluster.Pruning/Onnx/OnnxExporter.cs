using Google.Protobuf;
using Onnx;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>
/// Writes a <see cref="ZooModel"/> (built-in or imported, pruned or not) as an ONNX file (opset 14, float32, batch dimension symbolic) with
/// its current weights, BatchNorm in inference form, and optional metadata (the model card). The write is atomic (temp file, then move).
/// </summary>
public static class OnnxExporter
{
    public const int Opset = 14;

    public static void Export(ZooModel model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var proto = ToProto(model, metadata);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        using (var file = File.Create(temp))
        {
            proto.WriteTo(file);
        }

        File.Move(temp, path, overwrite: true);
    }

    public static ModelProto ToProto(ZooModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var shapes = model.Analysis.Shapes;
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in model.state_dict())
        {
            state[name] = t;
        }

        var g = new GraphProto { Name = graph.Name };
        g.Input.Add(Value(graph.Input, [-1, graph.InChannels, graph.ImageSize, graph.ImageSize]));
        g.Output.Add(Value(graph.Output, [-1, shapes[graph.Output].Channels]));
        foreach (var n in graph.Nodes)
        {
            g.Node.Add(Node(g, state, n, shapes));
        }

        var proto = new ModelProto { IrVersion = 8, ProducerName = "PrunerCluster", ProducerVersion = "1", Graph = g, DocString = "Pruned with PrunerCluster" };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return proto;
    }

    private static NodeProto Node(GraphProto g, Dictionary<string, Tensor> state, GraphNode n, IReadOnlyDictionary<string, ValueShape> shapes)
    {
        var node = new NodeProto { Name = n.Name, Output = { n.Output } };
        node.Input.Add(n.Inputs[0]);
        switch (n.Op)
        {
            case GraphOp.Conv or GraphOp.BatchNorm or GraphOp.Linear:
                Layer(g, state, n, node, shapes);
                break;
            case GraphOp.MaxPool or GraphOp.AvgPool:
                Pool(n, node);
                break;
            case GraphOp.LeakyRelu:
                node.OpType = "LeakyRelu";
                node.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = (float)n.Alpha });
                break;
            case GraphOp.Clip:
                node.OpType = "Clip";
                node.Input.Add(double.IsFinite(n.Min) ? Scalar(g, n.Name + ".min", (float)n.Min) : "");
                if (double.IsFinite(n.Max))
                {
                    node.Input.Add(Scalar(g, n.Name + ".max", (float)n.Max));
                }

                break;
            case GraphOp.Add or GraphOp.Mul or GraphOp.Sub or GraphOp.Div:
                node.OpType = n.Op.ToString();
                node.Input.Insert(n.ScalarFirst ? 0 : 1, n.Inputs.Count == 2 ? n.Inputs[1] : n.PerChannel ? ChannelOperand(g, state, n, shapes[n.Inputs[0]]) : Scalar(g, n.Name + ".scalar", (float)n.Alpha));

                break;
            case GraphOp.HardSigmoid:
                node.OpType = "HardSigmoid";
                node.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = (float)n.Alpha });
                node.Attribute.Add(new AttributeProto { Name = "beta", Type = AttributeProto.Types.AttributeType.Float, F = (float)n.Beta });
                break;
            case GraphOp.Slice:
                node.OpType = "Slice";
                node.Input.Add(Int64s(g, n.Name + ".starts", n.ChannelStart));
                node.Input.Add(Int64s(g, n.Name + ".ends", n.ChannelStart + n.ChannelCount));
                node.Input.Add(Int64s(g, n.Name + ".axes", 1));
                break;
            case GraphOp.ChannelShuffle:
            {
                var s = shapes[n.Inputs[0]];
                node.Input[0] = ShuffleTranspose(g, n, s);
                node.OpType = "Reshape";
                node.Input.Add(Int64s(g, n.Name + ".shape", 0, -1, s.Height, s.Width));
                break;
            }

            case GraphOp.Unflatten:
                node.OpType = "Reshape";
                node.Input.Add(Int64s(g, n.Name + ".shape", 0, -1, 1, 1));
                break;
            case GraphOp.Concat:
                node.OpType = "Concat";
                node.Input.AddRange(n.Inputs.Skip(1));
                node.Attribute.Add(Int("axis", 1));
                break;
            case GraphOp.Flatten or GraphOp.Softmax:
                node.OpType = n.Op == GraphOp.Flatten ? "Flatten" : "Softmax";
                node.Attribute.Add(Int("axis", 1));
                break;
            default:
                node.OpType = n.Op switch
                {
                    GraphOp.Relu => "Relu",
                    GraphOp.Sigmoid => "Sigmoid",
                    GraphOp.HardSwish => "HardSwish",
                    GraphOp.GlobalAvgPool => "GlobalAveragePool",
                    _ => "Identity",
                };
                break;
        }

        return node;
    }

    /// <summary>Conv, BatchNormalization or Gemm with its weights as initializers.</summary>
    private static void Layer(GraphProto g, Dictionary<string, Tensor> state, GraphNode n, NodeProto node, IReadOnlyDictionary<string, ValueShape> shapes)
    {
        if (n.Op == GraphOp.BatchNorm)
        {
            node.OpType = "BatchNormalization";
            foreach (var t in new[] { "weight", "bias", "running_mean", "running_var" })
            {
                node.Input.Add(Init(g, state, n.Name + "." + t));
            }

            node.Attribute.Add(new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = (float)n.Epsilon });
            return;
        }

        node.OpType = n.Op == GraphOp.Conv ? "Conv" : "Gemm";
        node.Input.Add(Init(g, state, n.Name + ".weight"));
        if (n.Bias)
        {
            node.Input.Add(Init(g, state, n.Name + ".bias"));
        }

        if (n.Op == GraphOp.Linear)
        {
            node.Attribute.Add(Int("transB", 1));
            return;
        }

        node.Attribute.Add(Ints("kernel_shape", n.Kernel, n.KernelW));
        node.Attribute.Add(Ints("strides", n.Stride, n.Stride));
        node.Attribute.Add(Ints("pads", n.Padding, n.PaddingW, n.Padding, n.PaddingW));
        node.Attribute.Add(Ints("dilations", n.Dilation, n.Dilation));
        node.Attribute.Add(Int("group", n.Depthwise ? shapes[n.Inputs[0]].Channels : n.Groups));
    }

    private static void Pool(GraphNode n, NodeProto node)
    {
        node.OpType = n.Op == GraphOp.MaxPool ? "MaxPool" : "AveragePool";
        node.Attribute.Add(Ints("kernel_shape", n.Kernel, n.Kernel));
        node.Attribute.Add(Ints("strides", n.Stride, n.Stride));
        node.Attribute.Add(Ints("pads", n.Padding, n.Padding, n.Padding, n.Padding));
        if (n.Op == GraphOp.AvgPool)
        {
            node.Attribute.Add(Int("count_include_pad", n.CountIncludePad ? 1 : 0));
        }

        if (n.CeilMode)
        {
            node.Attribute.Add(Int("ceil_mode", 1));
        }
    }

    private static ValueInfoProto Value(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }

    private static string Init(GraphProto g, Dictionary<string, Tensor> state, string name)
    {
        using var scope = torch.NewDisposeScope();
        var t = state[name].detach().cpu().to(torch.float32).contiguous();
        var values = t.data<float>().ToArray();
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        proto.Dims.AddRange(t.shape);
        g.Initializer.Add(proto);
        return name;
    }

    private static string Scalar(GraphProto g, string name, float value)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.FloatData.Add(value);
        g.Initializer.Add(proto);
        return name;
    }

    /// <summary>A per-channel constant as an initializer shaped to broadcast over the value: 1 x C x 1 x 1 for a map, 1 x C for a vector.</summary>
    private static string ChannelOperand(GraphProto g, Dictionary<string, Tensor> state, GraphNode n, ValueShape x)
    {
        var name = Init(g, state, n.Name + ".weight");
        var proto = g.Initializer[^1];
        proto.Dims.Clear();
        proto.Dims.AddRange(x.IsFlat ? [1L, x.Channels] : [1L, x.Channels, 1, 1]);
        return name;
    }

    /// <summary>The first two nodes of a channel shuffle (Reshape to N x g x C/g x H x W, Transpose 1 and 2); returns the transposed value.</summary>
    private static string ShuffleTranspose(GraphProto g, GraphNode n, ValueShape s)
    {
        var grouped = new NodeProto { Name = n.Name + "_group", OpType = "Reshape", Input = { n.Inputs[0], Int64s(g, n.Name + ".grouped", 0, n.Groups, -1, s.Height, s.Width) }, Output = { n.Name + "_grouped" } };
        var swapped = new NodeProto { Name = n.Name + "_transpose", OpType = "Transpose", Input = { grouped.Output[0] }, Output = { n.Name + "_transposed" } };
        swapped.Attribute.Add(Ints("perm", 0, 2, 1, 3, 4));
        g.Node.Add(grouped);
        g.Node.Add(swapped);
        return swapped.Output[0];
    }

    private static string Int64s(GraphProto g, string name, params long[] dims)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(dims.Length);
        proto.Int64Data.AddRange(dims);
        g.Initializer.Add(proto);
        return name;
    }

        private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}
