using Onnx;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>The operators that reshape, cut, pad or collapse tensors (and HardSigmoid), each read by its own family's file.</summary>
public static partial class OnnxImporter
{
    private sealed partial class Reader
    {
        private bool TryShapeOperator(NodeProto n, string nodeName, string output, string label)
        {
            switch (n.OpType)
            {
                case "HardSigmoid":
                    HardSigmoidNode(n, nodeName, output, label);
                    return true;
                case "Unsqueeze":
                    UnsqueezeNode(n, nodeName, output, label);
                    return true;
                case "Split":
                    SplitNode(n, nodeName, label);
                    return true;
                case "Slice":
                    SliceNode(n, nodeName, output, label);
                    return true;
                case "Transpose":
                    TransposeNode(n, nodeName, output, label);
                    return true;
                case "ReduceMean":
                    ReduceMeanNode(n, nodeName, output, label);
                    return true;
                case "Squeeze":
                    SqueezeNode(n, nodeName, output, label);
                    return true;
                case "Pad":
                    PadNode(n, nodeName, output, label);
                    return true;
                default:
                    return false;
            }
        }
    }
}
