using Onnx;
using PrunerCluster.Pruning.Graph;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>
/// A Conv's window: square kernels, and the non-square ones of factorised convolutions (Inception's 1 x 7 then 7 x 1) whose
/// padding keeps the feature map square. Strides and dilations stay equal on both axes, and each axis is padded the same on both
/// sides; the shape inference refuses a kernel and padding that would make the map non-square.
/// </summary>
public static partial class OnnxImporter
{
    private sealed partial class Reader
    {
        private (int KernelH, int KernelW, int Stride, int PadH, int PadW) ConvWindow(NodeProto n, string label, WeightTensor w)
        {
            var autoPad = n.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
            if (autoPad is not ("NOTSET" or "VALID" or ""))
            {
                throw new GraphException($"{label}: auto_pad = {autoPad} is not supported (only explicit pads, NOTSET or VALID).");
            }

            var kernel = Ints(n, "kernel_shape") ?? [w.Shape[2], w.Shape[3]];
            var strides = Ints(n, "strides") ?? [1, 1];
            var pads = Ints(n, "pads") ?? [0, 0, 0, 0];
            if (kernel.Length != 2 || strides.Length != 2 || strides[0] != strides[1] || pads.Length != 4 || pads[0] != pads[2] || pads[1] != pads[3])
            {
                throw new GraphException($"{label}: kernel [{string.Join(", ", kernel)}], strides [{string.Join(", ", strides)}], pads [{string.Join(", ", pads)}] are not supported (only 2-D kernels, equal strides and each axis padded the same on both sides).");
            }

            if (kernel[0] != w.Shape[2] || kernel[1] != w.Shape[3])
            {
                throw new GraphException($"{label}: kernel_shape [{string.Join(", ", kernel)}] does not match its weight's [{string.Join(", ", w.Shape)}].");
            }

            return ((int)kernel[0], (int)kernel[1], (int)strides[0], (int)pads[0], (int)pads[1]);
        }
    }
}
