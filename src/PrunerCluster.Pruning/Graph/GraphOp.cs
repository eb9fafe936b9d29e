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
}
