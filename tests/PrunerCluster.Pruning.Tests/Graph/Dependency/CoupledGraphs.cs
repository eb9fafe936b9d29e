using Onnx;

namespace PrunerCluster.TestModels;

/// <summary>Graphs whose channels are coupled across operators with different channel layouts, written as ONNX in C#.</summary>
internal static class CoupledGraphs
{
    /// <summary>
    /// input 3x16x16 -> stem conv3x3 (10) + ReLU -> s; branch_a conv1x1 (6) + ReLU, branch_b conv1x1 (4) + ReLU on s -> Concat (10)
    /// -> Add(cat, s) + ReLU -> r; dense block: Concat(r, grow conv1x1 (4) on r) (14) -> head conv1x1 (8) + ReLU -> GlobalAveragePool
    /// -> Flatten -> fc Gemm(classes).
    /// </summary>
    public static ModelProto ConcatResidual(int classes, int seed = 4)
    {
        var g = new GraphProto { Name = "concat-residual" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(seed));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var s = b.Relu(b.Conv("stem", "image", 3, 10, 3, 1, 1, bias: true));
        var a = b.Relu(b.Conv("branch_a", s, 10, 6, 1, 1, 0, bias: true));
        var c = b.Relu(b.Conv("branch_b", s, 10, 4, 1, 1, 0, bias: true));
        var r = b.Relu(b.Node("Add", "add", [b.Node("Concat", "cat", [a, c], ("axis", 1L)), s]));
        var dense = b.Node("Concat", "dense", [r, b.Conv("grow", r, 10, 4, 1, 1, 0, bias: true)], ("axis", 1L));
        var h = b.Relu(b.Conv("head", dense, 14, 8, 1, 1, 0, bias: true));
        var logits = b.Gemm("fc", b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [h])], ("axis", 1L)), 8, classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }
}
