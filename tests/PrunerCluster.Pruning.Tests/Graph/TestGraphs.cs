using Google.Protobuf;
using Onnx;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.TestModels;

namespace PrunerCluster.Pruning.Tests.Graph;

internal static class TestGraphs
{
    public static ModelProto BranchyProto(int classes, int channels = 3, int size = 16, int seed = 5, string? dynamicDim = null) =>
        OnnxGraphs.Branchy(classes, channels, size, seed, dynamicDim);

    public static ModelGraph Branchy(int classes) => OnnxImporter.Read(Write(BranchyProto(classes), TestSupport.TempDirectory())).Graph;

    public static string Write(ModelProto model, string directory, string name = "model.onnx")
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
