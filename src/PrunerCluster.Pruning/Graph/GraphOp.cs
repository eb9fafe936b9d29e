namespace PrunerCluster.Pruning.Graph;

/// <summary>Operators of the model graph IR: what the zoo builds and what ONNX import normalizes to (Gemm/MatMul become Linear, Dropout Identity).</summary>
public enum GraphOp
{
    Conv,
    BatchNorm,
    Linear,
    Relu,
    LeakyRelu,
    Clip,
    Sigmoid,
    HardSwish,
    MaxPool,
    AvgPool,
    GlobalAvgPool,
    Add,
    Mul,
    Concat,
    Flatten,
    Softmax,
    Identity,
    Sub,
    Div,
    HardSigmoid,

    /// <summary>A flat vector of C features as a C x 1 x 1 map (Reshape to N x C x 1 x 1, Unsqueeze axes 2 and 3): a squeeze-and-excitation gate computed by Gemm.</summary>
    Unflatten,

    /// <summary>Channels <see cref="GraphNode.ChannelStart"/> .. + <see cref="GraphNode.ChannelCount"/> of the input (ONNX Split and Slice on the channel axis).</summary>
    Slice,

    /// <summary>ShuffleNet's channel shuffle over <see cref="GraphNode.Groups"/> groups: channel j of the output is channel (j mod g) C/g + j div g of the input.</summary>
    ChannelShuffle,
}
