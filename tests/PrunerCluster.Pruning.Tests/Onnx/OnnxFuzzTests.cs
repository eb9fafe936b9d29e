using Google.Protobuf;
using Onnx;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Tests.Graph;

namespace PrunerCluster.Pruning.Tests.Onnx;

/// <summary>
/// Hostile and broken ONNX files: two thousand seeded mutations of a valid graph, byte-level and structural. Each one is
/// either imported or refused with a <see cref="GraphException"/> (a clear message); no other exception escapes.
/// </summary>
[Trait("Category", "Unit")]
public sealed class OnnxFuzzTests
{
    private const int Cases = 2000;

    [Fact]
    public void Every_mutated_file_is_imported_or_refused_with_a_clear_error()
    {
        var dir = TestSupport.TempDirectory();
        var original = TestGraphs.BranchyProto(4);
        var bytes = original.ToByteArray();
        var random = new Random(7);
        var escaped = new List<string>();
        var (imported, refused) = (0, 0);
        for (var i = 0; i < Cases; i++)
        {
            var path = Path.Combine(dir, $"fuzz-{i:D3}.onnx");
            File.WriteAllBytes(path, i % 2 == 0 ? Bytes(bytes, random) : Structural(original, random).ToByteArray());
            try
            {
                OnnxImporter.Read(path);
                imported++;
            }
            catch (GraphException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                refused++;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                escaped.Add($"case {i}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(escaped.Count == 0, string.Join(Environment.NewLine, escaped));
        Assert.True(refused > Cases / 4, $"only {refused} refusals, {imported} imports: the mutations are too mild to test anything");
    }

    private static byte[] Bytes(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        switch (random.Next(3))
        {
            case 0:
                for (var k = random.Next(1, 9); k > 0; k--)
                {
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }

                return copy;
            case 1:
                return copy[..random.Next(1, copy.Length)];
            default:
                var at = random.Next(copy.Length);
                return [.. copy[..at], .. copy[random.Next(copy.Length)..], .. copy[at..]];
        }
    }

    private static ModelProto Structural(ModelProto original, Random random)
    {
        var proto = original.Clone();
        var graph = proto.Graph;
        var node = graph.Node[random.Next(graph.Node.Count)];
        switch (random.Next(10))
        {
            case 0:
                graph.Node.Remove(node);
                break;
            case 1:
                node.Input.Clear();
                break;
            case 2:
                node.Output.Clear();
                break;
            case 3:
                if (node.Input.Count > 0)
                {
                    node.Input[random.Next(node.Input.Count)] = "nowhere";
                }

                break;
            case 4:
                foreach (var attribute in node.Attribute)
                {
                    attribute.I = random.Next(2) == 0 ? -7 : long.MaxValue;
                    for (var k = 0; k < attribute.Ints.Count; k++)
                    {
                        attribute.Ints[k] = random.Next(2) == 0 ? 0 : -3;
                    }
                }

                break;
            case 5:
                if (graph.Initializer.Count > 0)
                {
                    graph.Initializer.RemoveAt(random.Next(graph.Initializer.Count));
                }

                break;
            case 6:
                if (graph.Initializer.Count > 0)
                {
                    var weights = graph.Initializer[random.Next(graph.Initializer.Count)];
                    if (weights.Dims.Count > 0)
                    {
                        weights.Dims[random.Next(weights.Dims.Count)] = random.Next(2) == 0 ? 0 : 1 << 20;
                    }
                }

                break;
            case 7:
                if (graph.Initializer.Count > 0)
                {
                    graph.Initializer[random.Next(graph.Initializer.Count)].FloatData.Clear();
                    graph.Initializer[random.Next(graph.Initializer.Count)].RawData = ByteString.CopyFrom(1, 2, 3);
                }

                break;
            case 8:
                var dims = graph.Input[0].Type?.TensorType?.Shape?.Dim;
                if (dims is { Count: > 0 })
                {
                    dims[random.Next(dims.Count)].DimValue = random.Next(2) == 0 ? 0 : -1;
                }

                break;
            default:
                graph.Node.Add(node.Clone());
                break;
        }

        return proto;
    }
}
