using Google.Protobuf;
using Onnx;

namespace PrunerCluster.TestModels;

/// <summary>ONNX models written in C# with the ONNX protobuf package (no Python): a ResNet-style graph with a residual Add, a Concat branch and a depthwise conv.</summary>
internal static class OnnxGraphs
{
    /// <summary>
    /// input 3x16x16 -> stem conv3x3(8)+BN+ReLU -> depthwise conv3x3+BN+ReLU -> 1x1 conv (bias) -> Add(stem) -> ReLU
    /// -> [conv3x3(6)+ReLU | conv1x1(4)+Clip(0,6)] -> Concat(10) -> conv3x3 s2 (12) + HardSwish -> AveragePool 2 -> Flatten (12x4x4)
    /// -> Gemm(16) + LeakyRelu -> Dropout -> Mul(1.0) -> Gemm(classes).
    /// </summary>
    public static ModelProto Branchy(int classes, int channels = 3, int size = 16, int seed = 5, string? dynamicDim = null)
    {
        var rng = new Random(seed);
        var g = new GraphProto { Name = "branchy" };
        var b = new ProtoBuilder(g, rng);
        g.Input.Add(Value("image", channels, size, dynamicDim));
        var x = b.Conv("stem", "image", channels, 8, 3, 1, 1, bias: false);
        x = b.Relu(b.Bn("stem_bn", x, 8));
        var s = x;
        var d = b.Relu(b.Bn("dw_bn", b.Conv("dw", s, 8, 8, 3, 1, 1, bias: false, group: 8), 8));
        var r = b.Conv("res", d, 8, 8, 1, 1, 0, bias: true);
        r = b.Relu(b.Node("Add", "add_res", [r, s]));
        var a = b.Relu(b.Conv("branch_a", r, 8, 6, 3, 1, 1, bias: true));
        var c = b.Node("Clip", "relu6", [b.Conv("branch_b", r, 8, 4, 1, 1, 0, bias: true), b.Scalar("six_min", 0f), b.Scalar("six_max", 6f)]);
        var cat = b.Node("Concat", "cat", [a, c], ("axis", 1L));
        var h = b.Node("HardSwish", "hswish", [b.Conv("head", cat, 10, 12, 3, 2, 1, bias: true)]);
        var pooled = b.Node("AveragePool", "avg", [h], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
        var flat = b.Node("Flatten", "flatten", [pooled], ("axis", 1L));
        var f1 = b.Node("LeakyRelu", "lrelu", [b.Gemm("fc1", flat, 12 * (size / 4) * (size / 4), 16)], ("alpha", 0.05f));
        var drop = b.Node("Dropout", "drop", [f1]);
        var scaled = b.Node("Mul", "scale", [drop, b.Scalar("one", 1f)]);
        var logits = b.Gemm("fc", scaled, 16, classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }

    public static ValueInfoProto Value(string name, int channels, int size, string? dynamicDim = null)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = channels });
        shape.Dim.Add(dynamicDim is null ? new TensorShapeProto.Types.Dimension { DimValue = size } : new TensorShapeProto.Types.Dimension { DimParam = dynamicDim });
        shape.Dim.Add(dynamicDim is null ? new TensorShapeProto.Types.Dimension { DimValue = size } : new TensorShapeProto.Types.Dimension { DimParam = dynamicDim });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    internal sealed class ProtoBuilder(GraphProto g, Random rng)
    {
        public string Node(string op, string name, string[] inputs, params (string Name, object Value)[] attributes)
        {
            var n = new NodeProto { OpType = op, Name = name, Output = { name + "_out" } };
            n.Input.AddRange(inputs);
            foreach (var (an, av) in attributes)
            {
                n.Attribute.Add(av switch
                {
                    long l => new AttributeProto { Name = an, Type = AttributeProto.Types.AttributeType.Int, I = l },
                    float f => new AttributeProto { Name = an, Type = AttributeProto.Types.AttributeType.Float, F = f },
                    long[] ls => Ints(an, ls),
                    _ => throw new ArgumentException(an),
                });
            }

            g.Node.Add(n);
            return name + "_out";
        }

        public string Conv(string name, string x, int cin, int cout, int k, int stride, int pad, bool bias, int group = 1)
        {
            var inputs = new List<string> { x, Init(name + ".w", Random(cout * (cin / group) * k * k, Math.Sqrt(2.0 / (cin / group * k * k))), cout, cin / group, k, k) };
            if (bias)
            {
                inputs.Add(Init(name + ".b", Random(cout, 0.1), cout));
            }

            return Node("Conv", name, [.. inputs], ("kernel_shape", new long[] { k, k }), ("strides", new long[] { stride, stride }), ("pads", new long[] { pad, pad, pad, pad }), ("group", (long)group));
        }

        public string Bn(string name, string x, int c) =>
            Node("BatchNormalization", name, [x, Init(name + ".scale", Positive(c), c), Init(name + ".b", Random(c, 0.1), c), Init(name + ".mean", Random(c, 0.1), c), Init(name + ".var", Positive(c), c)], ("epsilon", 1e-5f));

        public string Gemm(string name, string x, int inF, int outF) =>
            Node("Gemm", name, [x, Init(name + ".w", Random(inF * outF, Math.Sqrt(2.0 / inF)), outF, inF), Init(name + ".b", Random(outF, 0.1), outF)], ("transB", 1L));

        public string Relu(string x) => Node("Relu", "relu_" + g.Node.Count, [x]);

        public string Scalar(string name, float value)
        {
            var t = new TensorProto { Name = name, DataType = 1 };
            t.FloatData.Add(value);
            g.Initializer.Add(t);
            return name;
        }

        public string Init(string name, float[] data, params long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = 1 };
            t.Dims.AddRange(dims);
            t.FloatData.AddRange(data);
            g.Initializer.Add(t);
            return name;
        }

        private float[] Random(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)(((rng.NextDouble() * 2) - 1) * scale)).ToArray();

        private float[] Positive(int n) => Enumerable.Range(0, n).Select(_ => (float)(0.5 + rng.NextDouble())).ToArray();

        private static AttributeProto Ints(string name, long[] values)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }
    }
}
