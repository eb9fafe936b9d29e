using Onnx;
using PrunerCluster.Pruning.Graph;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>
/// Shape arithmetic folded to constants for the file's fixed input size: Shape of a computed tensor (the batch dimension is NaN, the
/// others known), and Gather, Unsqueeze, Squeeze, Concat, Slice, Cast, Add, Sub, Mul and Div of constants. Identity of a constant is that
/// constant (torch.onnx writes one initializer per distinct value and an Identity for each parameter equal to it). A Reshape whose first
/// target dimension is the batch keeps it. Integer tensors divide as ONNX's int64 Div does (truncating).
/// </summary>
public static partial class OnnxImporter
{
    private sealed partial class Reader
    {
        private readonly HashSet<string> integral = new(StringComparer.Ordinal);

        private void MarkIntegral(string value, int dataType)
        {
            if ((TensorProto.Types.DataType)dataType is TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32)
            {
                integral.Add(value);
            }
        }

        private bool TryFold(NodeProto n, string nodeName, string output, string label)
        {
            var inputs = n.Input.Where(i => !string.IsNullOrEmpty(i)).ToArray();
            if (n.OpType == "Shape")
            {
                constants[output] = ShapeOf(n, nodeName, Data(n, 0, label));
                integral.Add(output);
                return true;
            }

            if (inputs.Length == 0 || !inputs.All(IsConst) || n.OpType is "Constant")
            {
                return false;
            }

            var folded = n.OpType switch
            {
                "Gather" => Gather(n, nodeName, constants[inputs[0]], constants[inputs[1]]),
                "Unsqueeze" => Reshaped(constants[inputs[0]], Unsqueezed(constants[inputs[0]].Shape, opset >= 13 ? Const(n, 1, label).Data.Select(v => (long)v).ToArray() : Ints(n, "axes") ?? [])),
                "Squeeze" => Reshaped(constants[inputs[0]], constants[inputs[0]].Shape.Where(d => d != 1).ToArray()),
                "Concat" => new WeightTensor([inputs.Sum(i => constants[i].Data.Length)], inputs.SelectMany(i => constants[i].Data).ToArray()),
                "Cast" or "Identity" => constants[inputs[0]],
                "Slice" => SliceConst(n, nodeName, label, constants[inputs[0]]),
                "Add" or "Sub" or "Mul" or "Div" => Arithmetic(n, nodeName, constants[inputs[0]], constants[inputs[1]], inputs.All(integral.Contains)),
                _ => null,
            };
            if (folded is null)
            {
                return false;
            }

            constants[output] = folded;
            if (n.OpType == "Cast" ? Int(n, "to", 1) is 6 or 7 : inputs.Take(n.OpType is "Gather" or "Unsqueeze" or "Slice" ? 1 : inputs.Length).All(integral.Contains))
            {
                integral.Add(output);
            }

            return true;
        }

        private WeightTensor ShapeOf(NodeProto n, string nodeName, string value)
        {
            if (n.Attribute.Any(a => a.Name is "start" or "end"))
            {
                throw Unsupported(n, nodeName, "start or end attributes");
            }

            var s = new ModelGraph(name, imageInput.Name, imageInput.Channels, imageInput.Size, nodes, value).InferShapes()[value];
            float[] dims = s.IsFlat ? [float.NaN, s.Channels] : [float.NaN, s.Channels, s.Height, s.Width];
            return new WeightTensor([dims.Length], dims);
        }

        private WeightTensor Gather(NodeProto n, string nodeName, WeightTensor data, WeightTensor indices)
        {
            if (data.Shape.Length != 1 || Int(n, "axis", 0) != 0)
            {
                throw Unsupported(n, nodeName, $"a constant gather from shape [{string.Join(", ", data.Shape)}] along axis {Int(n, "axis", 0)} (only from a 1-D tensor)");
            }

            var picked = indices.Data.Select(i => data.Data[(int)(i < 0 ? i + data.Data.Length : i)]).ToArray();
            return new WeightTensor(indices.Shape, picked);
        }

        private static long[] Unsqueezed(long[] shape, long[] axes)
        {
            var rank = shape.Length + axes.Length;
            var normal = axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
            var dims = new List<long>();
            var k = 0;
            for (var i = 0; i < rank; i++)
            {
                dims.Add(normal.Contains(i) ? 1 : shape[k++]);
            }

            return [.. dims];
        }

        private static WeightTensor Reshaped(WeightTensor t, long[] shape) => new(shape, t.Data);

        private WeightTensor SliceConst(NodeProto n, string nodeName, string label, WeightTensor data)
        {
            var steps = n.Input.Count > 4 && !string.IsNullOrEmpty(n.Input[4]) ? Const(n, 4, label).Data : [1f];
            if (opset < 10 || data.Shape.Length != 1 || steps.Any(s => s != 1))
            {
                throw Unsupported(n, nodeName, "a constant slice other than of a 1-D tensor with step 1");
            }

            var length = data.Data.Length;
            int Clamp(double v) => (int)Math.Clamp(v < 0 ? v + length : v, 0, length);
            var (start, end) = (Clamp(Const(n, 1, label).Data[0]), Clamp(Const(n, 2, label).Data[0]));
            var taken = data.Data.Skip(start).Take(Math.Max(0, end - start)).ToArray();
            return new WeightTensor([taken.Length], taken);
        }

        private WeightTensor Arithmetic(NodeProto n, string nodeName, WeightTensor a, WeightTensor b, bool integers)
        {
            if (a.Data.Length != b.Data.Length && a.Data.Length != 1 && b.Data.Length != 1)
            {
                throw Unsupported(n, nodeName, $"constant operands of shapes [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}]");
            }

            var count = Math.Max(a.Data.Length, b.Data.Length);
            float At(WeightTensor t, int i) => t.Data[t.Data.Length == 1 ? 0 : i];
            var result = Enumerable.Range(0, count).Select(i => n.OpType switch
            {
                "Add" => At(a, i) + At(b, i),
                "Sub" => At(a, i) - At(b, i),
                "Mul" => At(a, i) * At(b, i),
                _ => integers ? MathF.Truncate(At(a, i) / At(b, i)) : At(a, i) / At(b, i),
            }).ToArray();
            return new WeightTensor(a.Data.Length >= b.Data.Length ? a.Shape : b.Shape, result);
        }

        /// <summary>A NaN first dimension (the batch, from Shape) becomes 0 (keep the input's); NaN anywhere else is refused.</summary>
        private float[] BatchAsZero(NodeProto n, string nodeName, float[] shape)
        {
            if (shape.Skip(1).Any(float.IsNaN))
            {
                throw Unsupported(n, nodeName, "a target shape computed from the batch size beyond its first dimension");
            }

            return shape.Length > 0 && float.IsNaN(shape[0]) ? [0, .. shape.Skip(1)] : shape;
        }
    }
}
