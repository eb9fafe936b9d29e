using Onnx;

namespace PrunerCluster.TestModels;

/// <summary>What torch.onnx (1.13) writes for standard torchvision layers, as ONNX in C#: parameters shared through Identity, Pad before a pool or conv.</summary>
internal static class TorchExportGraphs
{
    /// <summary>
    /// Shared initializers as torch.onnx deduplicates them: one initializer per distinct value, an Identity for every parameter equal to it.
    /// input 3x16x16 -> c1 conv3x3 (6, bias = Identity(shared)) + ReLU -> c2 conv1x1 (6, bias = Identity(shared)) + ReLU
    /// -> GlobalAveragePool -> Flatten -> fc Gemm(classes, weight = Identity(fc.w)).
    /// </summary>
    public static ModelProto SharedParameters(int classes, int seed = 21)
    {
        var g = new GraphProto { Name = "shared" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(seed));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var shared = b.Init("shared.b", [0.1f, -0.2f, 0.3f, 0.05f, -0.1f, 0.2f], 6);
        var x = b.Relu(BiasThroughIdentity(g, b.Conv("c1", "image", 3, 6, 3, 1, 1, bias: false), shared, "c1.bias"));
        x = b.Relu(BiasThroughIdentity(g, b.Conv("c2", x, 6, 6, 1, 1, 0, bias: false), shared, "c2.bias"));
        var flat = b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [x])], ("axis", 1L));
        var logits = b.Gemm("fc", flat, 6, classes);
        var gemm = g.Node.Single(n => n.Name == "fc");
        g.Node.Insert(g.Node.IndexOf(gemm), new NodeProto { OpType = "Identity", Name = "fc_w_identity", Input = { gemm.Input[1] }, Output = { "fc.weight" } });
        gemm.Input[1] = "fc.weight";
        return Model(g, logits);
    }

    /// <summary>
    /// Zero padding as separate Pad nodes (opset 14, pads as an input).
    /// input 3x16x16 -> c1 conv3x3 (8) + ReLU -> Pad(0) -> AveragePool 2 s2 (a DenseNet transition) -> c2 conv1x1 (8) + ReLU
    /// -> Pad(1) -> AveragePool 3 s1 (an Inception branch pool, padding counted) -> Pad(1) -> c3 conv3x3 pads 0 (6) + ReLU
    /// -> GlobalAveragePool -> Flatten -> fc Gemm(classes).
    /// </summary>
    public static ModelProto Padded(int classes, int seed = 22)
    {
        var g = new GraphProto { Name = "padded" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(seed));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var x = b.Relu(b.Conv("c1", "image", 3, 8, 3, 1, 1, bias: true));
        x = b.Node("AveragePool", "transition", [Pad(g, b, "pad0", x, 0)], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
        x = b.Relu(b.Conv("c2", x, 8, 8, 1, 1, 0, bias: true));
        x = b.Node("AveragePool", "branch_pool", [Pad(g, b, "pad1", x, 1)], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 1, 1 }));
        x = b.Relu(b.Conv("c3", Pad(g, b, "pad2", x, 1), 8, 6, 3, 1, 0, bias: true));
        var flat = b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [x])], ("axis", 1L));
        return Model(g, b.Gemm("fc", flat, 6, classes));
    }

    public static string Pad(GraphProto g, OnnxGraphs.ProtoBuilder b, string name, string x, long pad) =>
        b.Node("Pad", name, [x, SqueezeExcitationGraphs.Int64(g, name + ".pads", 0, 0, pad, pad, 0, 0, pad, pad)]);

    private static string BiasThroughIdentity(GraphProto g, string conv, string shared, string biasName)
    {
        var node = g.Node.Single(n => n.Output[0] == conv);
        g.Node.Insert(g.Node.IndexOf(node), new NodeProto { OpType = "Identity", Name = biasName + "_identity", Input = { shared }, Output = { biasName } });
        node.Input.Add(biasName);
        return conv;
    }

    private static ModelProto Model(GraphProto g, string logits)
    {
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }
}
