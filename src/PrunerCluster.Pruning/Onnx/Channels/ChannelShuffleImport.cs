using Onnx;
using PrunerCluster.Pruning.Graph;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>
/// ShuffleNet's channel shuffle as exporters write it: Reshape to N x g x C/g x H x W, Transpose with perm (0, 2, 1, 3, 4), Reshape back
/// to N x C x H x W, read as one <see cref="GraphOp.ChannelShuffle"/> node. The intermediate 5-D values are not graph values; any other
/// Transpose is refused.
/// </summary>
public static partial class OnnxImporter
{
    private sealed partial class Reader
    {
        private readonly Dictionary<string, (string Source, int Groups, bool Transposed)> shuffles = new(StringComparer.Ordinal);

        private bool TryShuffleReshape(NodeProto n, string nodeName, float[] shape, string output, string label)
        {
            var input = Data(n, 0, label);
            if (shuffles.TryGetValue(input, out var pending))
            {
                if (!pending.Transposed || shape.Length != 4)
                {
                    throw Unsupported(n, nodeName, $"a reshape to [{string.Join(", ", shape)}] of a grouped view (only back to N x C x H x W after the channel shuffle's Transpose)");
                }

                Add(new GraphNode(nodeName, GraphOp.ChannelShuffle, [pending.Source], output) { Groups = pending.Groups, SourceName = Source(n, nodeName) });
                return true;
            }

            if (shape.Length != 5)
            {
                return false;
            }

            var channels = ChannelsOf(input);
            var groups = (int)shape[1];
            if (shape[0] is not (0 or -1) || groups < 1 || channels % groups != 0 || (shape[2] != -1 && (int)shape[2] * groups != channels))
            {
                throw Unsupported(n, nodeName, $"a reshape of {channels} channels to [{string.Join(", ", shape)}] (only N x g x C/g x H x W for a channel shuffle)");
            }

            shuffles[output] = (input, groups, false);
            return true;
        }

        private void TransposeNode(NodeProto n, string nodeName, string output, string label)
        {
            var input = Data(n, 0, label);
            var perm = Ints(n, "perm") ?? [];
            if (!shuffles.TryGetValue(input, out var pending) || pending.Transposed || !perm.SequenceEqual([0L, 2, 1, 3, 4]))
            {
                throw Unsupported(n, nodeName, $"Transpose with perm [{string.Join(", ", perm)}] (only perm 0, 2, 1, 3, 4 of a Reshape to N x g x C/g x H x W: a channel shuffle)");
            }

            shuffles[output] = pending with { Transposed = true };
        }
    }
}
