using Onnx;
using PrunerCluster.Pruning.Graph;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>
/// Element-wise operators and the squeeze-and-excitation gate: Add/Sub/Mul/Div of two computed tensors (equal shapes, or a per-channel
/// N x C x 1 x 1 gate over a map) or of a tensor and a scalar constant; HardSigmoid; a vector reshaped or unsqueezed to N x C x 1 x 1.
/// </summary>
public static partial class OnnxImporter
{
    private sealed partial class Reader
    {
        private void Binary(NodeProto n, string nodeName, GraphOp op, string output, string label)
        {
            if (n.Input.Count != 2)
            {
                throw new GraphException($"{label} has {n.Input.Count} input(s); an elementwise {n.OpType} takes 2.");
            }

            var constIndex = Enumerable.Range(0, 2).Where(i => IsConst(n.Input[i])).ToArray();
            if (constIndex.Length == 0)
            {
                Add(new GraphNode(nodeName, op, [Data(n, 0, label), Data(n, 1, label)], output) { SourceName = Source(n, nodeName) });
                return;
            }

            if (constIndex.Length == 2)
            {
                throw Unsupported(n, nodeName, "two constant operands");
            }

            var c = Const(n, constIndex[0], label);
            var other = Data(n, 1 - constIndex[0], label);
            if (op == GraphOp.Add && TryLinearBias(c, other, output))
            {
                return;
            }

            if (c.Data.Length > 1 && IsPerChannel(c, ValueShapeOf(other)))
            {
                weights[nodeName + ".weight"] = new WeightTensor([c.Data.Length], c.Data);
                Add(new GraphNode(nodeName, op, [other], output) { PerChannel = true, ScalarFirst = constIndex[0] == 0 && op is GraphOp.Sub or GraphOp.Div, SourceName = Source(n, nodeName) });
                return;
            }

            if (c.Data.Length != 1)
            {
                throw Unsupported(n, nodeName, $"a constant operand of shape [{string.Join(", ", c.Shape)}] with a {ValueShapeOf(other)} tensor (only scalars, one value per channel shaped 1 x C x 1 x 1 for a map or 1 x C for a vector, or a bias vector right after MatMul)");
            }

            Add(new GraphNode(nodeName, op, [other], output) { Alpha = c.Data[0], ScalarFirst = constIndex[0] == 0 && op is GraphOp.Sub or GraphOp.Div, SourceName = Source(n, nodeName) });
        }

        /// <summary>One value per channel, shaped to broadcast over the channel axis of <paramref name="x"/> (1 x C x 1 x 1 or C x 1 x 1 for a map, 1 x C or C for a vector).</summary>
        private static bool IsPerChannel(WeightTensor c, ValueShape x)
        {
            var channels = (long)x.Channels;
            long[][] accepted = x.IsFlat ? [[1, channels], [channels]] : [[1, channels, 1, 1], [channels, 1, 1]];
            return accepted.Any(a => a.SequenceEqual(c.Shape));
        }

        /// <summary>MatMul followed by Add of a bias vector is how some exporters write a linear layer.</summary>
        private bool TryLinearBias(WeightTensor c, string other, string output)
        {
            if (nodes.Count == 0 || nodes[^1] is not { Op: GraphOp.Linear, Bias: false } linear || linear.Output != other || c.Data.Length != linear.OutChannels || c.Data.Length <= 1)
            {
                return false;
            }

            weights[linear.Name + ".bias"] = new WeightTensor([linear.OutChannels], c.Data);
            nodes[^1] = linear with { Bias = true };
            alias[output] = linear.Output;
            return true;
        }

        private void HardSigmoidNode(NodeProto n, string nodeName, string output, string label) =>
            Add(new GraphNode(nodeName, GraphOp.HardSigmoid, [Data(n, 0, label)], output) { Alpha = Float(n, "alpha", 0.2f), Beta = Float(n, "beta", 0.5f), SourceName = Source(n, nodeName) });

        /// <summary>Unsqueeze of a vector at axes 2 and 3 (attribute before opset 13, constant input since).</summary>
        private void UnsqueezeNode(NodeProto n, string nodeName, string output, string label)
        {
            var axes = opset >= 13 ? Const(n, 1, label).Data.Select(v => (long)v).ToArray() : Ints(n, "axes");
            if (axes is null || !axes.Order().SequenceEqual([2L, 3L]) && !axes.Order().SequenceEqual([-2L, -1L]))
            {
                throw Unsupported(n, nodeName, $"axes [{string.Join(", ", axes ?? [])}] (only 2 and 3: a vector to N x C x 1 x 1)");
            }

            Simple(n, nodeName, GraphOp.Unflatten, output, label);
        }

        /// <summary>(0 or -1, C or -1, 1, 1): a per-sample vector as a C x 1 x 1 gate.</summary>
        private static bool IsGateShape(float[] shape) =>
            shape.Length == 4 && shape[0] is 0 or -1 && (shape[1] > 0 || (shape[1] == -1 && shape[0] == 0)) && shape[2] == 1 && shape[3] == 1;
    }
}
