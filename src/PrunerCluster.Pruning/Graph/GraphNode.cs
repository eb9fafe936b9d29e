namespace PrunerCluster.Pruning.Graph;

/// <summary>
/// One operation of a <see cref="ModelGraph"/>. Parametrized nodes (Conv, BatchNorm, Linear) own tensors named <c>Name.weight</c>,
/// <c>Name.bias</c>, <c>Name.running_mean</c>, <c>Name.running_var</c>. Channel counts of inputs follow from shape inference; only a
/// producing layer's <see cref="OutChannels"/> is stored, so resizing a group changes one number per producer.
/// </summary>
public sealed record GraphNode(string Name, GraphOp Op, IReadOnlyList<string> Inputs, string Output)
{
    /// <summary>Conv/Linear: output channels or features.</summary>
    public int OutChannels { get; init; }

    /// <summary>Kernel size; for a Conv with a non-square kernel its height (<see cref="KernelWidth"/> the width).</summary>
    public int Kernel { get; init; } = 1;

    /// <summary>Conv with a non-square kernel (Inception's 1 x 7 and 7 x 1): the kernel's width; null = square (<see cref="Kernel"/>).</summary>
    public int? KernelWidth { get; init; }

    /// <summary>Conv with different padding left/right than top/bottom: the left and right padding; null = <see cref="Padding"/>.</summary>
    public int? PaddingWidth { get; init; }

    public int Stride { get; init; } = 1;

    public int Padding { get; init; }

    public int Dilation { get; init; } = 1;

    /// <summary>Conv groups when not depthwise (1 = dense).</summary>
    public int Groups { get; init; } = 1;

    /// <summary>Conv with one filter per input channel (groups = channels): its channels are tied to its input's.</summary>
    public bool Depthwise { get; init; }

    public bool Bias { get; init; } = true;

    /// <summary>LeakyRelu slope; HardSigmoid slope; Add/Mul/Sub/Div scalar operand when <see cref="Inputs"/> has one entry.</summary>
    public double Alpha { get; init; }

    /// <summary>HardSigmoid offset: max(0, min(1, <see cref="Alpha"/> x + Beta)).</summary>
    public double Beta { get; init; }

    /// <summary>Sub/Div with a constant operand (scalar or per-channel): the constant is the left operand (c - x, c / x).</summary>
    public bool ScalarFirst { get; init; }

    /// <summary>Add/Sub/Mul/Div with one input: the constant operand is a vector of one value per channel, the buffer <c>Name.weight</c> (not <see cref="Alpha"/>).</summary>
    public bool PerChannel { get; init; }

    /// <summary>Slice: the first channel taken.</summary>
    public int ChannelStart { get; init; }

    /// <summary>Slice: how many channels are taken.</summary>
    public int ChannelCount { get; init; }

    public double Min { get; init; } = double.NegativeInfinity;

    public double Max { get; init; } = double.PositiveInfinity;

    public double Epsilon { get; init; } = 1e-5;

    public double Momentum { get; init; } = 0.1;

    public bool CountIncludePad { get; init; }

    /// <summary>
    /// MaxPool/AvgPool: output size rounded up (ONNX/PyTorch <c>ceil_mode</c>), except that the last window must start inside the input
    /// or its left padding.
    /// </summary>
    public bool CeilMode { get; init; }

    /// <summary>Name given to the prunable group this node produces (the zoo's width names); null = named after the first producer.</summary>
    public string? GroupHint { get; init; }

    /// <summary>The node's name in the source file (ONNX), when it had to be sanitized.</summary>
    public string? SourceName { get; init; }

    public bool HasParameters => Op is GraphOp.Conv or GraphOp.BatchNorm or GraphOp.Linear;

    /// <summary>The kernel's width: <see cref="KernelWidth"/>, else <see cref="Kernel"/>.</summary>
    public int KernelW => KernelWidth ?? Kernel;

    /// <summary>The left and right padding: <see cref="PaddingWidth"/>, else <see cref="Padding"/>.</summary>
    public int PaddingW => PaddingWidth ?? Padding;
}
