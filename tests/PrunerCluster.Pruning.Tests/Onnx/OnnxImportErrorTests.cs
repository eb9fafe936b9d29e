using Google.Protobuf;
using Onnx;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Tests.Graph;

namespace PrunerCluster.Pruning.Tests.Onnx;

[Trait("Category", "Unit")]
public sealed class OnnxImportErrorTests
{
    [Fact]
    public void Truncated_file_is_named_as_unreadable()
    {
        var dir = TestSupport.TempDirectory();
        var bytes = TestGraphs.BranchyProto(4).ToByteArray();
        var path = Path.Combine(dir, "cut.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(path));
        Assert.Contains("cut.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_operator_names_node_op_and_the_supported_list()
    {
        var proto = TestGraphs.BranchyProto(4);
        var node = proto.Graph.Node.First(n => n.Name == "hswish");
        node.OpType = "Gelu";
        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(TestGraphs.Write(proto, TestSupport.TempDirectory())));
        Assert.Contains("'hswish'", e.Message, StringComparison.Ordinal);
        Assert.Contains("op Gelu", e.Message, StringComparison.Ordinal);
        Assert.Contains("Supported operators: Conv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_attribute_is_named()
    {
        var proto = TestGraphs.BranchyProto(4);
        var pool = proto.Graph.Node.First(n => n.Name == "avg");
        pool.Attribute.Add(new AttributeProto { Name = "dilations", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } });
        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(TestGraphs.Write(proto, TestSupport.TempDirectory())));
        Assert.Contains("'avg' (op AveragePool) uses pooling dilations other than 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_refusal_lists_every_unsupported_node_with_its_operator_name_and_count_per_operator_and_the_opset()
    {
        var proto = TestGraphs.BranchyProto(4);
        proto.Graph.Node.First(n => n.Name == "hswish").OpType = "Gelu";
        proto.Graph.Node.First(n => n.Name == "lrelu").OpType = "Gelu";
        proto.Graph.Node.First(n => n.Name == "avg").Attribute.Add(new AttributeProto { Name = "dilations", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } });
        var unnamed = proto.Graph.Node.First(n => n.Name == "drop");
        unnamed.OpType = "Shrink";
        unnamed.Name = "";
        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(TestGraphs.Write(proto, TestSupport.TempDirectory(), "four.onnx")));

        Assert.StartsWith("ONNX model 'four' (opset 14): 4 nodes cannot be imported, by operator: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("op Gelu x2 (operator not supported): 'hswish', 'lrelu'", e.Message, StringComparison.Ordinal);
        Assert.Contains("op AveragePool x1: node 'avg' (op AveragePool) uses pooling dilations other than 1", e.Message, StringComparison.Ordinal);
        Assert.Matches(@"op Shrink x1 \(operator not supported\): '#\d+ \(unnamed\)'", e.Message);
        Assert.True(e.Message.IndexOf("op Gelu", StringComparison.Ordinal) < e.Message.IndexOf("op AveragePool", StringComparison.Ordinal), "operators in order of first appearance");
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(e.Message, "Supported operators: "));
    }

    [Fact]
    public void Dynamic_spatial_shape_is_refused()
    {
        var proto = TestGraphs.BranchyProto(4, dynamicDim: "height");
        var e = Assert.Throws<GraphException>(() => OnnxImporter.Read(TestGraphs.Write(proto, TestSupport.TempDirectory())));
        Assert.Contains("'image' has dynamic shape N x 3 x height x height", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_and_shape_mismatches_are_clear()
    {
        Assert.Contains("does not exist", Assert.Throws<GraphException>(() => OnnxImporter.Read("/nonexistent/model.onnx")).Message, StringComparison.Ordinal);
        var proto = TestGraphs.BranchyProto(4);
        var head = proto.Graph.Initializer.First(t => t.Name == "head.w");
        head.Dims[1] = 9;
        var kept = head.FloatData.Take(12 * 9 * 9).ToArray();
        head.FloatData.Clear();
        head.FloatData.AddRange(kept);
        var e = Assert.Throws<GraphException>(() => OnnxImporter.Load(TestGraphs.Write(proto, TestSupport.TempDirectory())));
        Assert.Contains("head.weight", e.Message, StringComparison.Ordinal);
    }
}
