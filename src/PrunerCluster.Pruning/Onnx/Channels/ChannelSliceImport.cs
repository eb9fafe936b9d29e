using System.Globalization;
using Onnx;
using PrunerCluster.Pruning.Graph;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>
/// Split and Slice along the channel axis (ShuffleNet's channel split, <c>torch.chunk</c>, <c>x[:, a:b]</c>): each part becomes a
/// channel <see cref="GraphOp.Slice"/>, so the parts' channels stay coupled with the tensor they were cut from.
/// </summary>
public static partial class OnnxImporter
{
    private sealed partial class Reader
    {
        private void SplitNode(NodeProto n, string nodeName, string label)
        {
            RequireChannelAxis(n, nodeName, Int(n, "axis", 0));
            var x = Data(n, 0, label);
            var sizes = SplitSizes(n, nodeName, label, x);
            var start = 0;
            for (var i = 0; i < sizes.Length; i++)
            {
                var part = string.Create(CultureInfo.InvariantCulture, $"{nodeName}_{i}");
                usedNames.Add(part);
                Add(new GraphNode(part, GraphOp.Slice, [x], n.Output[i]) { ChannelStart = start, ChannelCount = sizes[i], SourceName = n.Name is { Length: > 0 } ? n.Name : null });
                start += sizes[i];
            }
        }

        private int[] SplitSizes(NodeProto n, string nodeName, string label, string x)
        {
            var given = opset >= 13
                ? (n.Input.Count > 1 && !string.IsNullOrEmpty(n.Input[1]) ? Const(n, 1, label).Data.Select(v => (long)v).ToArray() : null)
                : Ints(n, "split");
            if (given is not null)
            {
                return given.Length == n.Output.Count && given.All(v => v >= 1) ? given.Select(v => (int)v).ToArray() : throw Unsupported(n, nodeName, $"split sizes [{string.Join(", ", given)}] for {n.Output.Count} outputs");
            }

            var channels = ChannelsOf(x);
            return channels % n.Output.Count == 0 ? Enumerable.Repeat(channels / n.Output.Count, n.Output.Count).ToArray() : throw Unsupported(n, nodeName, $"an equal split of {channels} channels into {n.Output.Count} parts");
        }

        private void SliceNode(NodeProto n, string nodeName, string output, string label)
        {
            if (opset < 10)
            {
                throw Unsupported(n, nodeName, "Slice before opset 10 (starts and ends as attributes)");
            }

            var axes = n.Input.Count > 3 && !string.IsNullOrEmpty(n.Input[3]) ? Const(n, 3, label).Data : null;
            var steps = n.Input.Count > 4 && !string.IsNullOrEmpty(n.Input[4]) ? Const(n, 4, label).Data : null;
            var (starts, ends) = (Const(n, 1, label).Data, Const(n, 2, label).Data);
            if (axes is null || axes.Length != 1 || starts.Length != 1 || ends.Length != 1 || (steps is not null && steps.Any(s => s != 1)))
            {
                throw Unsupported(n, nodeName, $"axes [{string.Join(", ", axes ?? [])}], steps [{string.Join(", ", steps ?? [])}] (only one axis, the channels, with step 1)");
            }

            RequireChannelAxis(n, nodeName, (int)axes[0]);
            var x = Data(n, 0, label);
            var channels = ChannelsOf(x);
            int Clamp(double v) => (int)Math.Clamp(v < 0 ? v + channels : v, 0, channels);
            var (start, end) = (Clamp(starts[0]), Clamp(ends[0]));
            if (end <= start)
            {
                throw Unsupported(n, nodeName, $"an empty channel range [{starts[0]}, {ends[0]}) of {channels} channels");
            }

            Add(new GraphNode(nodeName, GraphOp.Slice, [x], output) { ChannelStart = start, ChannelCount = end - start, SourceName = Source(n, nodeName) });
        }

        private void RequireChannelAxis(NodeProto n, string nodeName, int axis)
        {
            if (axis is not (1 or -3))
            {
                throw Unsupported(n, nodeName, $"axis = {axis} (only the channel axis, 1)");
            }
        }

        private int ChannelsOf(string value) => ValueShapeOf(value).Channels;

        /// <summary>The per-sample shape of a value computed so far, by shape inference over the nodes converted before it.</summary>
        private ValueShape ValueShapeOf(string value)
        {
            try
            {
                return new ModelGraph(name, imageInput.Name, imageInput.Channels, imageInput.Size, nodes, value).InferShapes()[value];
            }
            catch (GraphException e)
            {
                throw new GraphException($"the channels of '{value}' are unknown: {e.Message}", e);
            }
        }
    }
}
