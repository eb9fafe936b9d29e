using Onnx;

namespace PrunerCluster.TestModels;

/// <summary>A ShuffleNetV2-style unit without the shuffle, written as ONNX in C#: a channel Split, a branch on one part, Concat, a channel Slice.</summary>
internal static class ChannelSplitGraphs
{
    /// <summary>
    /// input 3x16x16 -> stem conv3x3 (8) + ReLU -> Split (4, 4) -> x1, x2; x2 -> b1 conv1x1 (4) + ReLU -> dw depthwise 3x3 -> b2 conv1x1 (4)
    /// + ReLU -> y2; Concat(x1, y2) (8) -> Slice channels 2 .. 7 (6) -> c conv1x1 (5) + ReLU -> GlobalAveragePool -> Flatten -> fc Gemm(classes).
    /// </summary>
    public static ModelProto Build(int classes, bool splitSizes = true, int seed = 6)
    {
        var g = new GraphProto { Name = "split" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(seed));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var s = b.Relu(b.Conv("stem", "image", 3, 8, 3, 1, 1, bias: true));
        var split = new NodeProto { OpType = "Split", Name = "split", Input = { s }, Output = { "x1", "x2" } };
        split.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        if (splitSizes)
        {
            split.Input.Add(SqueezeExcitationGraphs.Int64(g, "halves", 4, 4));
        }

        g.Node.Add(split);
        var y = b.Relu(b.Conv("b1", "x2", 4, 4, 1, 1, 0, bias: true));
        y = b.Relu(b.Conv("b2", b.Conv("dw", y, 4, 4, 3, 1, 1, bias: true, group: 4), 4, 4, 1, 1, 0, bias: true));
        var cat = b.Node("Concat", "cat", ["x1", y], ("axis", 1L));
        var sliced = b.Node("Slice", "tail", [cat, SqueezeExcitationGraphs.Int64(g, "from", 2), SqueezeExcitationGraphs.Int64(g, "to", long.MaxValue), SqueezeExcitationGraphs.Int64(g, "axis1", 1)]);
        var h = b.Relu(b.Conv("c", sliced, 6, 5, 1, 1, 0, bias: true));
        var logits = b.Gemm("fc", b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [h])], ("axis", 1L)), 5, classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }
}
