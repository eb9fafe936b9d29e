using Onnx;
using PrunerCluster.Pruning.Graph;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>
/// The other ways exporters write global pooling and the flatten after it: ReduceMean over H and W (<c>x.mean([2, 3])</c>) is a
/// GlobalAveragePool, followed by a Flatten when it drops the axes; Squeeze of the axes 2 and 3 of an N x C x 1 x 1 map is a Flatten.
/// </summary>
public static partial class OnnxImporter
{
    private sealed partial class Reader
    {
        private void ReduceMeanNode(NodeProto n, string nodeName, string output, string label)
        {
            var axes = opset >= 18 ? (n.Input.Count > 1 && !string.IsNullOrEmpty(n.Input[1]) ? Const(n, 1, label).Data.Select(v => (long)v).ToArray() : null) : Ints(n, "axes");
            if (!IsSpatial(axes))
            {
                throw Unsupported(n, nodeName, $"axes [{string.Join(", ", axes ?? [])}] (only 2 and 3: a global average pool)");
            }

            var x = Data(n, 0, label);
            if (Int(n, "keepdims", 1) != 0)
            {
                Simple(n, nodeName, GraphOp.GlobalAvgPool, output, label);
                return;
            }

            var pooled = nodeName + "_pooled";
            usedNames.Add(pooled);
            Add(new GraphNode(pooled, GraphOp.GlobalAvgPool, [x], pooled) { SourceName = n.Name is { Length: > 0 } ? n.Name : null });
            Add(new GraphNode(nodeName, GraphOp.Flatten, [pooled], output) { SourceName = Source(n, nodeName) });
        }

        private void SqueezeNode(NodeProto n, string nodeName, string output, string label)
        {
            var axes = opset >= 13 ? (n.Input.Count > 1 && !string.IsNullOrEmpty(n.Input[1]) ? Const(n, 1, label).Data.Select(v => (long)v).ToArray() : null) : Ints(n, "axes");
            var x = Data(n, 0, label);
            var shape = new ModelGraph(name, imageInput.Name, imageInput.Channels, imageInput.Size, nodes, x).InferShapes()[x];
            if ((axes is not null && !IsSpatial(axes)) || shape.IsFlat || shape.Height != 1 || shape.Width != 1)
            {
                throw Unsupported(n, nodeName, $"axes [{string.Join(", ", axes ?? [])}] of a {shape} value (only 2 and 3 of an N x C x 1 x 1 map)");
            }

            Simple(n, nodeName, GraphOp.Flatten, output, label);
        }

        private static bool IsSpatial(long[]? axes) =>
            axes is { Length: 2 } && axes.Select(a => a < 0 ? a + 4 : a).Order().SequenceEqual([2L, 3L]);
    }
}
