using Onnx;

namespace PrunerCluster.TestModels;

/// <summary>A ShuffleNetV2 unit as <c>torch.onnx.export</c> writes it with a symbolic batch: shapes computed by Shape/Gather/Div/Unsqueeze/Concat.</summary>
internal static class ChannelShuffleGraphs
{
    /// <summary>
    /// input 3x16x16 -> stem conv3x3 (8) + ReLU -> Split (4, 4) -> x1, x2; x2 -> b1 conv1x1 (6) + ReLU -> b2 conv1x1 (4) + ReLU -> y;
    /// Concat(x1, y) -> channel shuffle (2 groups; Reshape to [n, 2, c / 2, h, w] from Shape, Transpose, Reshape to [n, -1, h, w])
    /// -> c conv1x1 (5) + ReLU -> GlobalAveragePool -> Reshape to [n, -1] from Shape -> fc Gemm(classes).
    /// </summary>
    public static ModelProto Build(int classes, int seed = 7)
    {
        var g = new GraphProto { Name = "shuffle" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(seed));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var s = b.Relu(b.Conv("stem", "image", 3, 8, 3, 1, 1, bias: true));
        var split = new NodeProto { OpType = "Split", Name = "split", Input = { s, SqueezeExcitationGraphs.Int64(g, "halves", 4, 4) }, Output = { "x1", "x2" } };
        split.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(split);
        var y = b.Relu(b.Conv("b2", b.Relu(b.Conv("b1", "x2", 4, 6, 1, 1, 0, bias: true)), 6, 4, 1, 1, 0, bias: true));
        var cat = b.Node("Concat", "cat", ["x1", y], ("axis", 1L));
        var shape = b.Node("Shape", "shape", [cat]);
        string Dim(string name, long i) => b.Node("Unsqueeze", name + "_u", [b.Node("Gather", name, [shape, Scalar(g, name + "_i", i)], ("axis", 0L)), SqueezeExcitationGraphs.Int64(g, name + "_axes", 0)]);
        var (n, h, w) = (Dim("n", 0), Dim("h", 2), Dim("w", 3));
        var perGroup = b.Node("Unsqueeze", "cpg_u", [b.Node("Div", "cpg", [b.Node("Gather", "ch", [shape, Scalar(g, "ch_i", 1)], ("axis", 0L)), Scalar(g, "two", 2)]), SqueezeExcitationGraphs.Int64(g, "cpg_axes", 0)]);
        var grouped = b.Node("Reshape", "grouped", [cat, b.Node("Concat", "grouped_shape", [n, SqueezeExcitationGraphs.Int64(g, "groups", 2), perGroup, h, w], ("axis", 0L))]);
        var swapped = b.Node("Transpose", "swap", [grouped], ("perm", new long[] { 0, 2, 1, 3, 4 }));
        var shuffled = b.Node("Reshape", "shuffled", [swapped, b.Node("Concat", "back_shape", [n, SqueezeExcitationGraphs.Int64(g, "minus_one", -1), h, w], ("axis", 0L))]);
        var gap = b.Node("GlobalAveragePool", "gap", [b.Relu(b.Conv("c", shuffled, 8, 5, 1, 1, 0, bias: true))]);
        var batch = b.Node("Unsqueeze", "batch_u", [b.Node("Gather", "batch", [b.Node("Shape", "gap_shape", [gap]), Scalar(g, "zero", 0)], ("axis", 0L)), SqueezeExcitationGraphs.Int64(g, "batch_axes", 0)]);
        var flat = b.Node("Reshape", "flat", [gap, b.Node("Concat", "flat_shape", [batch, SqueezeExcitationGraphs.Int64(g, "rest", -1)], ("axis", 0L))]);
        var logits = b.Gemm("fc", flat, 5, classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }

    private static string Scalar(GraphProto g, string name, long value)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Int64Data.Add(value);
        g.Initializer.Add(t);
        return name;
    }
}
