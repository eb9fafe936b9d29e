using System.Globalization;
using System.Text;
using Google.Protobuf;
using Onnx;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>
/// Reads an ONNX image classifier into a <see cref="ModelGraph"/> plus weights and builds the executable <see cref="ZooModel"/>. Gemm and
/// MatMul(+Add) become Linear, Dropout and Identity pass through, Reshape to (N, -1) becomes Flatten. Dynamic input shapes are refused at
/// once; every node it cannot take (operators, unsupported attributes) is collected and refused in one message that
/// names each node and its operator, counts them per operator and gives the opset and what is supported (<see cref="NodeRefusal"/>).
/// </summary>
public static partial class OnnxImporter
{
    public const string Kind = "onnx";

    public const string SupportedOperators = "Conv (groups, depthwise, non-square kernels on square maps), BatchNormalization, Relu, LeakyRelu, Clip (Relu6), Sigmoid, HardSigmoid, HardSwish, MaxPool, AveragePool, GlobalAveragePool, Pad (zeros on H and W, folded into the Conv or AveragePool after it), Add, Sub, Mul, Div (equal shapes, a per-channel N x C x 1 x 1 operand over a map, a scalar constant or a per-channel constant), Concat (channels), Flatten, Reshape (to N x -1, or a vector to N x C x 1 x 1), Unsqueeze (a vector to N x C x 1 x 1), Split and Slice (channel axis, step 1), channel shuffle (Reshape to N x g x C/g x H x W, Transpose 1 and 2, Reshape back), ReduceMean over H and W, Squeeze of a N x C x 1 x 1 map, shape arithmetic on constants and Shape (Shape, Gather, Unsqueeze, Squeeze, Concat, Slice, Cast, Add, Sub, Mul, Div), Gemm, MatMul, Dropout, Identity, Softmax, Constant";

    /// <summary>Reads and converts the file; throws <see cref="GraphException"/> with a clear message for anything unreadable or unsupported.</summary>
    public static (ModelGraph Graph, IReadOnlyDictionary<string, WeightTensor> Weights) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new GraphException($"ONNX model '{path}' does not exist.");
        }

        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new GraphException($"'{path}' is not a readable ONNX model (truncated or not ONNX protobuf): {e.Message}", e);
        }

        if (model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new GraphException($"'{path}' holds no ONNX graph (truncated or not an ONNX model).");
        }

        return new Reader(model, Path.GetFileNameWithoutExtension(path)).Run();
    }

    /// <summary>An executable model of the ONNX file with its weights loaded.</summary>
    public static ZooModel Load(string path)
    {
        var (graph, weights) = Read(path);
        return Build(graph, weights);
    }

    public static ZooModel Build(ModelGraph graph, IReadOnlyDictionary<string, WeightTensor> weights)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(weights);
        var architecture = GraphAnalysis.Of(graph).Architecture(Kind);
        var model = new ZooModel(graph, architecture, 0);
        try
        {
            using var guard = torch.no_grad();
            foreach (var (name, tensor) in model.state_dict())
            {
                if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                {
                    continue;
                }

                if (!weights.TryGetValue(name, out var w))
                {
                    throw new GraphException($"ONNX graph '{graph.Name}' has no weights for '{name}'.");
                }

                if (!w.Shape.SequenceEqual(tensor.shape))
                {
                    throw new GraphException($"Weights '{name}' have shape [{string.Join(", ", w.Shape)}], the layer needs [{string.Join(", ", tensor.shape)}].");
                }

                using var source = torch.tensor(w.Data, w.Shape);
                tensor.copy_(source);
            }

            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private sealed partial class Reader(ModelProto model, string name)
    {
        private readonly Dictionary<string, WeightTensor> constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, WeightTensor> weights = new(StringComparer.Ordinal);
        private readonly List<GraphNode> nodes = [];
        private readonly HashSet<string> usedNames = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> alias = new(StringComparer.Ordinal);
        private readonly HashSet<int> unknownOperators = [];
        private (string Name, int Channels, int Size) imageInput;
        private readonly int opset = model.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain)).Select(o => (int)o.Version).DefaultIfEmpty(13).Max();

        public (ModelGraph, IReadOnlyDictionary<string, WeightTensor>) Run()
        {
            var g = model.Graph;
            foreach (var init in g.Initializer)
            {
                constants[init.Name] = Tensor(init, init.Name);
                MarkIntegral(init.Name, init.DataType);
            }

            var inputs = g.Input.Where(i => !constants.ContainsKey(i.Name)).ToArray();
            if (inputs.Length != 1)
            {
                throw new GraphException($"ONNX graph '{name}' has {inputs.Length} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); an image classifier with exactly one N x C x H x W input is supported.");
            }

            var (channels, size) = InputShape(inputs[0]);
            imageInput = (inputs[0].Name, channels, size);
            if (g.Output.Count != 1)
            {
                throw new GraphException($"ONNX graph '{name}' has {g.Output.Count} outputs; exactly one (the class scores) is supported.");
            }

            // Every node is converted before anything is refused, so one refusal names all the nodes the importer cannot take.
            var refusals = new List<NodeRefusal>();
            for (var i = 0; i < g.Node.Count; i++)
            {
                var node = g.Node[i];
                try
                {
                    Convert(node, i);
                }
                catch (GraphException e)
                {
                    refusals.Add(new NodeRefusal(node.OpType, node.Name is { Length: > 0 } ? node.Name : string.Create(CultureInfo.InvariantCulture, $"#{i} (unnamed)"), unknownOperators.Contains(i) ? null : e.Message));
                }
            }

            if (refusals.Count > 0)
            {
                throw new GraphException(NodeRefusal.Message(name, opset, refusals, SupportedOperators));
            }

            var output = Resolve(g.Output[0].Name);
            var graph = new ModelGraph(name, inputs[0].Name, channels, size, nodes, output);
            try
            {
                _ = GraphAnalysis.Of(graph);
            }
            catch (GraphException e)
            {
                throw new GraphException($"ONNX model '{name}': {e.Message}", e);
            }

            return (graph, weights);
        }

        private (int Channels, int Size) InputShape(ValueInfoProto input)
        {
            var dims = input.Type?.TensorType?.Shape?.Dim;
            if (dims is null || dims.Count != 4)
            {
                throw new GraphException($"ONNX input '{input.Name}' has {(dims is null ? "no" : dims.Count.ToString(CultureInfo.InvariantCulture) + "-D")} shape; an N x C x H x W image input with fixed C, H and W is supported.");
            }

            string Show(TensorShapeProto.Types.Dimension d) => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : (d.DimParam is { Length: > 0 } p ? p : "?");
            var shown = string.Join(" x ", dims.Select(Show));
            var fixedDims = dims.Skip(1).Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? (int)d.DimValue : -1).ToArray();
            if (fixedDims.Any(d => d < 0))
            {
                throw new GraphException($"ONNX input '{input.Name}' has dynamic shape {shown}: channels, height and width must be fixed numbers (only the batch dimension may be symbolic). Export with a fixed input size.");
            }

            if (fixedDims[1] != fixedDims[2])
            {
                throw new GraphException($"ONNX input '{input.Name}' is {shown}: only square images (H = W) are supported.");
            }

            return (fixedDims[0], fixedDims[1]);
        }

        private void Convert(NodeProto n, int index)
        {
            var op = n.OpType;
            var nodeName = UniqueName(n.Name, op, index);
            string Label() => $"Node '{(n.Name is { Length: > 0 } ? n.Name : nodeName)}' ({op})";
            if (!string.IsNullOrEmpty(n.Domain) && n.Domain != "ai.onnx")
            {
                throw Unsupported(n, nodeName, $"operator domain '{n.Domain}'");
            }

            var output = n.Output.Count > 0 ? n.Output[0] : throw new GraphException($"{Label()} has no output.");
            if (TryFold(n, nodeName, output, Label()))
            {
                return;
            }

            switch (op)
            {
                case "Constant":
                {
                    var value = n.Attribute.FirstOrDefault(a => a.Name == "value")?.T ?? throw new GraphException($"{Label()}: only the 'value' tensor attribute is supported.");
                    constants[output] = Tensor(value, output);
                    MarkIntegral(output, value.DataType);
                    return;
                }

                case "Identity":
                case "Dropout":
                    alias[output] = Resolve(n.Input.Count > 0 ? n.Input[0] : throw new GraphException($"{Label()} has no input."));
                    return;
                case "Conv":
                    ConvNode(n, nodeName, output, Label());
                    return;
                case "BatchNormalization":
                    BatchNormNode(n, nodeName, output, Label());
                    return;
                case "Relu":
                    Simple(n, nodeName, GraphOp.Relu, output, Label());
                    return;
                case "Sigmoid":
                    Simple(n, nodeName, GraphOp.Sigmoid, output, Label());
                    return;
                case "HardSwish":
                    Simple(n, nodeName, GraphOp.HardSwish, output, Label());
                    return;
                case "LeakyRelu":
                    Add(new GraphNode(nodeName, GraphOp.LeakyRelu, [Data(n, 0, Label())], output) { Alpha = Float(n, "alpha", 0.01f), SourceName = Source(n, nodeName) });
                    return;
                case "Clip":
                    ClipNode(n, nodeName, output, Label());
                    return;
                case "MaxPool":
                case "AveragePool":
                    PoolNode(n, nodeName, output, Label());
                    return;
                case "GlobalAveragePool":
                    Simple(n, nodeName, GraphOp.GlobalAvgPool, output, Label());
                    return;
                case "Add":
                case "Mul":
                case "Sub":
                case "Div":
                    Binary(n, nodeName, Enum.Parse<GraphOp>(op), output, Label());
                    return;
                case "Concat":
                    ConcatNode(n, nodeName, output, Label());
                    return;
                case "Flatten":
                    FlattenNode(n, nodeName, output, Label());
                    return;
                case "Reshape":
                    ReshapeNode(n, nodeName, output, Label());
                    return;
                case "Softmax":
                    SoftmaxNode(n, nodeName, output, Label());
                    return;
                case "Gemm":
                    GemmNode(n, nodeName, output, Label());
                    return;
                case "MatMul":
                    MatMulNode(n, nodeName, output, Label());
                    return;
                default:
                    if (TryShapeOperator(n, nodeName, output, Label()))
                    {
                        return;
                    }

                    unknownOperators.Add(index);
                    throw Unsupported(n, nodeName, $"operator '{op}'");
            }
        }

        private void BatchNormNode(NodeProto n, string nodeName, string output, string label)
        {
            var x = Data(n, 0, label);
            var eps = Float(n, "epsilon", 1e-5f);
            weights[nodeName + ".weight"] = Const(n, 1, label);
            weights[nodeName + ".bias"] = Const(n, 2, label);
            weights[nodeName + ".running_mean"] = Const(n, 3, label);
            weights[nodeName + ".running_var"] = Const(n, 4, label);
            Add(new GraphNode(nodeName, GraphOp.BatchNorm, [x], output) { Epsilon = eps, SourceName = Source(n, nodeName) });
        }

        private void ClipNode(NodeProto n, string nodeName, string output, string label)
        {
            double min = float.NegativeInfinity, max = float.PositiveInfinity;
            if (opset < 11 || n.Input.Count == 1)
            {
                min = Float(n, "min", float.NegativeInfinity);
                max = Float(n, "max", float.PositiveInfinity);
            }

            if (n.Input.Count > 1 && !string.IsNullOrEmpty(n.Input[1]))
            {
                min = Const(n, 1, label).Data[0];
            }

            if (n.Input.Count > 2 && !string.IsNullOrEmpty(n.Input[2]))
            {
                max = Const(n, 2, label).Data[0];
            }

            Add(new GraphNode(nodeName, GraphOp.Clip, [Data(n, 0, label)], output) { Min = min, Max = max, SourceName = Source(n, nodeName) });
        }

        private void PoolNode(NodeProto n, string nodeName, string output, string label)
        {
            var (k, s, p) = Window(n, label);
            if (Ints(n, "dilations") is { } d && d.Any(v => v != 1))
            {
                throw Unsupported(n, nodeName, "pooling dilations other than 1");
            }

            var (x, padded) = PaddedInput(n, label);
            var countPad = Int(n, "count_include_pad", 0) != 0;
            var ceil = Int(n, "ceil_mode", 0) != 0;
            if (padded > 0 && (n.OpType == "MaxPool" || ceil || (p > 0 && !countPad)))
            {
                throw Unsupported(n, nodeName, "a zero Pad before it that cannot be folded into its own padding (only into an AveragePool without ceil_mode that counts any padding of its own, or a Conv)");
            }

            Add(new GraphNode(nodeName, n.OpType == "MaxPool" ? GraphOp.MaxPool : GraphOp.AvgPool, [x], output)
            { Kernel = k, Stride = s, Padding = p + padded, CountIncludePad = countPad || padded > 0, CeilMode = ceil, SourceName = Source(n, nodeName) });
        }

        private void ConcatNode(NodeProto n, string nodeName, string output, string label)
        {
            var axis = Int(n, "axis", 1);
            if (axis is not (1 or -3))
            {
                throw Unsupported(n, nodeName, $"axis = {axis} (only channel concatenation, axis 1)");
            }

            Add(new GraphNode(nodeName, GraphOp.Concat, n.Input.Select((_, i) => Data(n, i, label)).ToArray(), output) { SourceName = Source(n, nodeName) });
        }

        private void FlattenNode(NodeProto n, string nodeName, string output, string label)
        {
            var axis = Int(n, "axis", 1);
            if (axis != 1)
            {
                throw Unsupported(n, nodeName, $"axis = {axis} (only 1)");
            }

            Simple(n, nodeName, GraphOp.Flatten, output, label);
        }

        private void ReshapeNode(NodeProto n, string nodeName, string output, string label)
        {
            var shape = BatchAsZero(n, nodeName, Const(n, 1, label).Data);
            if (TryShuffleReshape(n, nodeName, shape, output, label))
            {
                return;
            }

            if (IsGateShape(shape))
            {
                Simple(n, nodeName, GraphOp.Unflatten, output, label);
                return;
            }

            if (shape.Length != 2 || shape[0] is not (0 or -1) || (shape[0] == -1 && shape[1] == -1))
            {
                throw Unsupported(n, nodeName, $"target shape [{string.Join(", ", shape)}] (only flattening to (N, -1) or (0, features), or a vector to (N, C, 1, 1))");
            }

            Simple(n, nodeName, GraphOp.Flatten, output, label);
        }

        private void SoftmaxNode(NodeProto n, string nodeName, string output, string label)
        {
            var axis = Int(n, "axis", opset >= 13 ? -1 : 1);
            if (axis is not (1 or -1))
            {
                throw Unsupported(n, nodeName, $"axis = {axis} (only the class axis of an N x classes output)");
            }

            Simple(n, nodeName, GraphOp.Softmax, output, label);
        }

        private void MatMulNode(NodeProto n, string nodeName, string output, string label)
        {
            var b = Const(n, 1, label);
            if (b.Shape.Length != 2)
            {
                throw Unsupported(n, nodeName, $"a {b.Shape.Length}-D weight (only a 2-D initializer as second input)");
            }

            weights[nodeName + ".weight"] = Transpose(b);
            Add(new GraphNode(nodeName, GraphOp.Linear, [Data(n, 0, label)], output) { OutChannels = (int)b.Shape[1], Bias = false, SourceName = Source(n, nodeName) });
        }

        private void ConvNode(NodeProto n, string nodeName, string output, string label)
        {
            var w = Const(n, 1, label);
            if (w.Shape.Length != 4)
            {
                throw Unsupported(n, nodeName, $"a {w.Shape.Length}-D weight (only 2-D convolution)");
            }

            var (k, kw, s, p, pw) = ConvWindow(n, label, w);
            var dilation = Ints(n, "dilations") is { } d ? (d.Distinct().Count() == 1 ? (int)d[0] : throw Unsupported(n, nodeName, "different dilations per axis")) : 1;
            var group = Int(n, "group", 1);
            // group == 1 with one input and one output channel is a depthwise conv pruned to one channel (the exporter writes
            // group = channels): read it back as depthwise, so a re-imported model keeps the same dependency groups.
            var depthwise = w.Shape[1] == 1 && w.Shape[0] == group;
            weights[nodeName + ".weight"] = w;
            var bias = n.Input.Count > 2 && !string.IsNullOrEmpty(n.Input[2]);
            if (bias)
            {
                weights[nodeName + ".bias"] = Const(n, 2, label);
            }

            var (x, padded) = PaddedInput(n, label);
            Add(new GraphNode(nodeName, GraphOp.Conv, [x], output)
            {
                OutChannels = (int)w.Shape[0],
                Kernel = k,
                KernelWidth = kw == k ? null : kw,
                Stride = s,
                Padding = p + padded,
                PaddingWidth = pw == p ? null : pw + padded,
                Dilation = dilation,
                Groups = depthwise ? 1 : group,
                Depthwise = depthwise,
                Bias = bias,
                SourceName = Source(n, nodeName),
            });
        }

        private void GemmNode(NodeProto n, string nodeName, string output, string label)
        {
            if (Int(n, "transA", 0) != 0)
            {
                throw Unsupported(n, nodeName, "transA = 1 (only 0)");
            }

            var b = Const(n, 1, label);
            var weight = Int(n, "transB", 0) != 0 ? b : Transpose(b);
            var alpha = Float(n, "alpha", 1f);
            var beta = Float(n, "beta", 1f);
            weights[nodeName + ".weight"] = Scale(weight, alpha);
            var outFeatures = (int)weight.Shape[0];
            var bias = n.Input.Count > 2 && !string.IsNullOrEmpty(n.Input[2]);
            if (bias)
            {
                var c = Const(n, 2, label);
                var data = c.Data.Length == 1 ? Enumerable.Repeat(c.Data[0], outFeatures).ToArray() : c.Data;
                if (data.Length != outFeatures)
                {
                    throw Unsupported(n, nodeName, $"bias C of shape [{string.Join(", ", c.Shape)}] (only [{outFeatures}] or a scalar)");
                }

                weights[nodeName + ".bias"] = Scale(new WeightTensor([outFeatures], data), beta);
            }

            Add(new GraphNode(nodeName, GraphOp.Linear, [Data(n, 0, label)], output) { OutChannels = outFeatures, Bias = bias, SourceName = Source(n, nodeName) });
        }

        private void Simple(NodeProto n, string nodeName, GraphOp op, string output, string label) =>
            Add(new GraphNode(nodeName, op, [Data(n, 0, label)], output) { SourceName = Source(n, nodeName) });

        private void Add(GraphNode node) => nodes.Add(node);

        private (int Kernel, int Stride, int Padding) Window(NodeProto n, string label)
        {
            var autoPad = n.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
            if (autoPad is not ("NOTSET" or "VALID" or ""))
            {
                throw new GraphException($"{label}: auto_pad = {autoPad} is not supported (only explicit pads, NOTSET or VALID).");
            }

            var kernel = Ints(n, "kernel_shape") ?? throw new GraphException($"{label}: kernel_shape is required.");
            var strides = Ints(n, "strides") ?? [1, 1];
            var pads = Ints(n, "pads") ?? [0, 0, 0, 0];
            if (kernel.Length != 2 || kernel[0] != kernel[1] || strides.Length != 2 || strides[0] != strides[1] || pads.Length != 4 || pads.Distinct().Count() != 1)
            {
                throw new GraphException($"{label}: kernel [{string.Join(", ", kernel)}], strides [{string.Join(", ", strides)}], pads [{string.Join(", ", pads)}] are not supported (only 2-D square kernels, equal strides and the same padding on every side).");
            }

            return ((int)kernel[0], (int)strides[0], (int)pads[0]);
        }

        private static GraphException Unsupported(NodeProto n, string nodeName, string what) =>
            new($"node '{(n.Name is { Length: > 0 } ? n.Name : nodeName)}' (op {n.OpType}) uses {what}, which is not supported");

        private string Data(NodeProto n, int i, string label)
        {
            if (i >= n.Input.Count || string.IsNullOrEmpty(n.Input[i]))
            {
                throw new GraphException($"{label}: input {i} is missing.");
            }

            if (IsConst(n.Input[i]))
            {
                throw new GraphException($"{label}: input {i} ('{n.Input[i]}') is a constant where a computed tensor is expected; constant data inputs are not supported.");
            }

            RefusePaddedRead(Resolve(n.Input[i]), i, label);
            return Resolve(n.Input[i]);
        }

        private WeightTensor Const(NodeProto n, int i, string label) =>
            i < n.Input.Count && constants.TryGetValue(n.Input[i], out var t)
                ? t
                : throw new GraphException($"{label}: input {i} ('{(i < n.Input.Count ? n.Input[i] : "")}') must be an initializer (weights stored in the file); computed weights are not supported.");

        private bool IsConst(string value) => constants.ContainsKey(value);

        private string Resolve(string value) => alias.TryGetValue(value, out var a) ? a : value;

        private string UniqueName(string source, string op, int index)
        {
            var sb = new StringBuilder();
            foreach (var c in source.TrimStart('/'))
            {
                sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
            }

            var name = sb.Length == 0 ? string.Create(CultureInfo.InvariantCulture, $"{op.ToLowerInvariant()}_{index}") : sb.ToString();
            var unique = name;
            for (var k = 2; !usedNames.Add(unique); k++)
            {
                unique = string.Create(CultureInfo.InvariantCulture, $"{name}_{k}");
            }

            return unique;
        }

        private static string? Source(NodeProto n, string nodeName) => n.Name is { Length: > 0 } s && s != nodeName ? s : null;

        private static float Float(NodeProto n, string attr, float fallback) => n.Attribute.FirstOrDefault(a => a.Name == attr) is { } a ? a.F : fallback;

        private static int Int(NodeProto n, string attr, int fallback) => n.Attribute.FirstOrDefault(a => a.Name == attr) is { } a ? (int)a.I : fallback;

        private static long[]? Ints(NodeProto n, string attr) => n.Attribute.FirstOrDefault(a => a.Name == attr) is { } a ? a.Ints.ToArray() : null;

        private static WeightTensor Transpose(WeightTensor t)
        {
            var (rows, cols) = ((int)t.Shape[0], (int)t.Shape[1]);
            var data = new float[t.Data.Length];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < cols; c++)
                {
                    data[(c * rows) + r] = t.Data[(r * cols) + c];
                }
            }

            return new WeightTensor([cols, rows], data);
        }

        private static WeightTensor Scale(WeightTensor t, float factor) => factor == 1f ? t : new WeightTensor(t.Shape, t.Data.Select(v => v * factor).ToArray());

        private WeightTensor Tensor(TensorProto t, string tensorName)
        {
            var shape = t.Dims.ToArray();
            var count = shape.Aggregate(1L, (a, b) => a * b);
            float[] data;
            switch ((TensorProto.Types.DataType)t.DataType)
            {
                case TensorProto.Types.DataType.Float:
                    data = t.FloatData.Count > 0 ? t.FloatData.ToArray() : FromRaw(t.RawData, 4, (b, o) => BitConverter.ToSingle(b, o));
                    break;
                case TensorProto.Types.DataType.Int64:
                    data = t.Int64Data.Count > 0 ? t.Int64Data.Select(v => (float)v).ToArray() : FromRaw(t.RawData, 8, (b, o) => BitConverter.ToInt64(b, o));
                    break;
                case TensorProto.Types.DataType.Int32:
                    data = t.Int32Data.Count > 0 ? t.Int32Data.Select(v => (float)v).ToArray() : FromRaw(t.RawData, 4, (b, o) => BitConverter.ToInt32(b, o));
                    break;
                case TensorProto.Types.DataType.Double:
                    data = t.DoubleData.Count > 0 ? t.DoubleData.Select(v => (float)v).ToArray() : FromRaw(t.RawData, 8, (b, o) => (float)BitConverter.ToDouble(b, o));
                    break;
                default:
                    throw new GraphException($"ONNX tensor '{tensorName}' has data type {(TensorProto.Types.DataType)t.DataType}; float32 weights (and int64 shapes) are supported.");
            }

            if (t.DataLocation == TensorProto.Types.DataLocation.External)
            {
                throw new GraphException($"ONNX tensor '{tensorName}' is stored in an external data file; save the model with its weights inside the .onnx file.");
            }

            if (data.Length != count)
            {
                throw new GraphException($"ONNX tensor '{tensorName}' has {data.Length} values for shape [{string.Join(", ", shape)}] (truncated file?).");
            }

            return new WeightTensor(shape, data);
        }

        private static float[] FromRaw(ByteString raw, int width, Func<byte[], int, float> read)
        {
            var bytes = raw.ToByteArray();
            var data = new float[bytes.Length / width];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = read(bytes, i * width);
            }

            return data;
        }
    }
}

/// <summary>A dense float tensor read from (or written to) a model file.</summary>
public sealed record WeightTensor(long[] Shape, float[] Data);
