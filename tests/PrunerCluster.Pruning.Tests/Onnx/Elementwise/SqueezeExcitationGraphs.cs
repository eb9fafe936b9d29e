using Onnx;

namespace PrunerCluster.TestModels;

/// <summary>Squeeze-and-excitation blocks written as ONNX in C#: the gate computed by 1x1 convolutions (MobileNetV3, EfficientNet) and by Gemm.</summary>
internal static class SqueezeExcitationGraphs
{
    /// <summary>
    /// input 3x16x16 -> c1 conv3x3 (8) + BN + HardSwish -> dw depthwise conv3x3 + ReLU -> x
    /// -> SE: GlobalAveragePool(x) -> se_reduce conv1x1 (4) + ReLU -> se_expand conv1x1 (8) + HardSigmoid -> Mul(x, gate)
    /// -> proj conv1x1 (6) -> Swish (proj x Sigmoid(proj)) -> Sub 0.5 -> Div 2 -> 1 - y (Sub, scalar first) -> y
    /// -> SE by Gemm: GlobalAveragePool(y) -> Flatten -> se2_reduce Gemm (3) + ReLU -> se2_expand Gemm (6) + Sigmoid -> Unsqueeze(2, 3) -> Mul(gate, y)
    /// -> GlobalAveragePool -> Flatten -> fc Gemm(classes).
    /// </summary>
    public static ModelProto Build(int classes, int seed = 3)
    {
        var g = new GraphProto { Name = "se" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(seed));
        g.Input.Add(OnnxGraphs.Value("image", 3, 16));
        var x = b.Node("HardSwish", "c1_act", [b.Bn("c1_bn", b.Conv("c1", "image", 3, 8, 3, 1, 1, bias: false), 8)]);
        x = b.Relu(b.Conv("dw", x, 8, 8, 3, 1, 1, bias: true, group: 8));
        var squeeze = b.Relu(b.Conv("se_reduce", b.Node("GlobalAveragePool", "se_gap", [x]), 8, 4, 1, 1, 0, bias: true));
        var gate = b.Node("HardSigmoid", "se_gate", [b.Conv("se_expand", squeeze, 4, 8, 1, 1, 0, bias: true)], ("alpha", 1f / 6), ("beta", 0.5f));
        var scaled = b.Node("Mul", "se_mul", [x, gate]);
        var p = b.Conv("proj", scaled, 8, 6, 1, 1, 0, bias: true);
        var swish = b.Node("Mul", "swish", [p, b.Node("Sigmoid", "swish_sig", [p])]);
        var shifted = b.Node("Div", "halve", [b.Node("Sub", "centre", [swish, b.Scalar("half", 0.5f)]), b.Scalar("two", 2f)]);
        var y = b.Node("Sub", "flip", [b.Scalar("one", 1f), shifted]);
        var v = b.Node("Flatten", "se2_flat", [b.Node("GlobalAveragePool", "se2_gap", [y])], ("axis", 1L));
        var h = b.Relu(b.Gemm("se2_reduce", v, 6, 3));
        var gate2 = b.Node("Sigmoid", "se2_gate", [b.Gemm("se2_expand", h, 3, 6)]);
        var map = b.Node("Unsqueeze", "se2_unsqueeze", [gate2, Int64(g, "axes23", 2, 3)]);
        var z = b.Node("Mul", "se2_mul", [map, y]);
        var logits = b.Gemm("fc", b.Node("Flatten", "flat", [b.Node("GlobalAveragePool", "gap", [z])], ("axis", 1L)), 6, classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }

    public static string Int64(GraphProto g, string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        g.Initializer.Add(t);
        return name;
    }
}
