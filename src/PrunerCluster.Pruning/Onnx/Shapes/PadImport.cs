using System.Globalization;
using Onnx;
using PrunerCluster.Pruning.Graph;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>
/// Zero padding written as its own node: torch.onnx writes every <c>AvgPool2d</c> that counts its padding (PyTorch's default) as Pad and
/// an AveragePool without pads, the Pad all zeros when the pool has no padding (DenseNet's transitions). A Pad of zeros only is a pass-through;
/// the same zero padding on every side of H and W is folded into the Conv or AveragePool that reads it (an AveragePool then counts the
/// padding, as the padded tensor's average does). Any other reader of a non-zero Pad, other modes, values or axes are refused.
/// </summary>
public static partial class OnnxImporter
{
    private sealed partial class Reader
    {
        private readonly Dictionary<string, (string Source, int Pad)> zeroPads = new(StringComparer.Ordinal);

        private void PadNode(NodeProto n, string nodeName, string output, string label)
        {
            var mode = n.Attribute.FirstOrDefault(a => a.Name == "mode")?.S.ToStringUtf8() ?? "constant";
            if (mode != "constant")
            {
                throw Unsupported(n, nodeName, $"mode = {mode} (only constant zero padding)");
            }

            if (n.Input.Count > 3 && !string.IsNullOrEmpty(n.Input[3]))
            {
                throw Unsupported(n, nodeName, "an axes input (only pads given for all four axes)");
            }

            var pads = opset >= 11 ? Const(n, 1, label).Data.Select(v => (long)v).ToArray() : Ints(n, "pads") ?? [];
            var value = opset >= 11 ? (n.Input.Count > 2 && !string.IsNullOrEmpty(n.Input[2]) ? Const(n, 2, label).Data[0] : 0f) : Float(n, "value", 0f);
            if (value != 0f)
            {
                throw Unsupported(n, nodeName, string.Create(CultureInfo.InvariantCulture, $"padding value {value} (only 0)"));
            }

            if (pads.Length != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 || pads[2] < 0 || new[] { pads[3], pads[6], pads[7] }.Any(p => p != pads[2]))
            {
                throw Unsupported(n, nodeName, $"pads [{string.Join(", ", pads)}] (only the same zero padding on every side of H and W of an N x C x H x W map)");
            }

            var x = Data(n, 0, label);
            if (pads[2] == 0)
            {
                alias[output] = x;
                return;
            }

            zeroPads[output] = (x, (int)pads[2]);
        }

        /// <summary>The data input of a Conv or pool and the zero padding of a Pad node before it, to add to the node's own.</summary>
        private (string Input, int Pad) PaddedInput(NodeProto n, string label) =>
            n.Input.Count > 0 && zeroPads.TryGetValue(Resolve(n.Input[0]), out var padded) ? padded : (Data(n, 0, label), 0);

        private void RefusePaddedRead(string value, int i, string label)
        {
            if (zeroPads.ContainsKey(value))
            {
                throw new GraphException($"{label}: input {i} ('{value}') is the output of a non-zero Pad; only a Conv or an AveragePool may read one (the padding is folded into theirs).");
            }
        }
    }
}
