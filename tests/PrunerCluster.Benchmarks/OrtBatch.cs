using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Benchmarks;

/// <summary>One float batch through ONNX Runtime (as <c>OnnxRuntimeCheck</c> opens a session for <c>export</c>) or through a TorchSharp model.</summary>
internal static class OrtBatch
{
    public static float[] Run(string onnxPath, float[] input, int[] shape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        using var session = new InferenceSession(onnxPath, options);
        var tensor = new DenseTensor<float>(input, shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), tensor)]);
        return results[0].AsTensor<float>().ToArray();
    }

    public static float[] Torch(ZooModel model, float[] input, int[] shape)
    {
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        model.eval();
        var x = torch.tensor(input, shape.Select(d => (long)d).ToArray());
        return model.call(x).cpu().contiguous().data<float>().ToArray();
    }
}
