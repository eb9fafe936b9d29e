using Onnx;

namespace PrunerCluster.TestModels;

/// <summary>Graphs with grouped (not depthwise) convolutions, written as ONNX in C#.</summary>
internal static class GroupedGraphs
{
    /// <summary>
    /// input 3x8x8 -> stem conv3x3 (8) + BN + ReLU -> g1 conv3x3 (8, 4 groups of 2 -> 2) + BN + ReLU -> squeeze-and-excitation (GlobalAveragePool,
    /// se_reduce conv1x1 (2) + ReLU, se_expand conv1x1 (8) + Sigmoid, Mul) -> g2 conv3x3 (16, <paramref name="groups2"/> groups, bias) + ReLU
    /// -> head conv1x1 (6) + ReLU -> GlobalAveragePool -> Flatten -> fc Gemm(classes).
    /// </summary>
    public static ModelProto Chained(int classes, int groups2 = 4, int seed = 6)
    {
        var g = new GraphProto { Name = "grouped" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(seed));
        g.Input.Add(OnnxGraphs.Value("image", 3, 8));
        var s = b.Relu(b.Bn("stem_bn", b.Conv("stem", "image", 3, 8, 3, 1, 1, bias: false), 8));
        var x = b.Relu(b.Bn("g1_bn", b.Conv("g1", s, 8, 8, 3, 1, 1, bias: false, group: 4), 8));
        var squeezed = b.Relu(b.Conv("se_reduce", b.Node("GlobalAveragePool", "se_gap", [x]), 8, 2, 1, 1, 0, bias: true));
        var gate = b.Node("Sigmoid", "se_gate", [b.Conv("se_expand", squeezed, 2, 8, 1, 1, 0, bias: true)]);
        x = b.Node("Mul", "se_scale", [x, gate]);
        x = b.Relu(b.Conv("g2", x, 8, 16, 3, 1, 1, bias: true, group: groups2));
        var h = b.Relu(b.Conv("head", x, 16, 6, 1, 1, 0, bias: true));
        return Model(g, b.Gemm("fc", b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [h])], ("axis", 1L)), 6, classes));
    }

    /// <summary>
    /// input 3x8x8 -> [branch_a conv3x3 (3) | branch_b conv3x3 (5)] + ReLU -> Concat (8) -> g conv3x3 (8, 4 groups of 2) + ReLU -> head conv1x1 (6)
    /// -> GlobalAveragePool -> Flatten -> fc Gemm(classes): the Concat's boundary at channel 3 falls inside the grouped convolution's second group.
    /// </summary>
    public static ModelProto Misaligned(int classes, int seed = 7)
    {
        var g = new GraphProto { Name = "misaligned" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(seed));
        g.Input.Add(OnnxGraphs.Value("image", 3, 8));
        var cat = b.Relu(b.Node("Concat", "cat", [b.Conv("branch_a", "image", 3, 3, 3, 1, 1, bias: true), b.Conv("branch_b", "image", 3, 5, 3, 1, 1, bias: true)], ("axis", 1L)));
        var x = b.Relu(b.Conv("g", cat, 8, 8, 3, 1, 1, bias: true, group: 4));
        var h = b.Conv("head", x, 8, 6, 1, 1, 0, bias: true);
        return Model(g, b.Gemm("fc", b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [h])], ("axis", 1L)), 6, classes));
    }

    /// <summary>
    /// input 3x8x8 -> stem conv3x3 (8) + ReLU -> g conv3x3 (8, 4 groups of 2) + ReLU -> Slice channels <paramref name="from"/> .. 7 -> c conv1x1 (5)
    /// -> GlobalAveragePool -> Flatten -> fc Gemm(classes).
    /// </summary>
    public static ModelProto Sliced(int classes, int from, int seed = 8)
    {
        var g = new GraphProto { Name = "sliced" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(seed));
        g.Input.Add(OnnxGraphs.Value("image", 3, 8));
        var x = b.Relu(b.Conv("g", b.Relu(b.Conv("stem", "image", 3, 8, 3, 1, 1, bias: true)), 8, 8, 3, 1, 1, bias: true, group: 4));
        var sliced = b.Node("Slice", "tail", [x, SqueezeExcitationGraphs.Int64(g, "from", from), SqueezeExcitationGraphs.Int64(g, "to", long.MaxValue), SqueezeExcitationGraphs.Int64(g, "axis1", 1)]);
        var h = b.Conv("c", sliced, 8 - from, 5, 1, 1, 0, bias: true);
        return Model(g, b.Gemm("fc", b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [h])], ("axis", 1L)), 5, classes));
    }

    private static ModelProto Model(GraphProto g, string logits)
    {
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }
}
