using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Onnx;

/// <summary>How an exported ONNX file behaves in ONNX Runtime next to the TorchSharp model it came from.</summary>
public sealed record OnnxRuntimeReport(int Samples, double MaxAbsDifference, double OnnxAccuracy, double TorchAccuracy, int PredictionMismatches);

/// <summary>Runs an exported model in ONNX Runtime (the runtime users deploy with) on the same inputs as TorchSharp and compares.</summary>
public static class OnnxRuntimeCheck
{
    /// <summary>Scores both on the first <paramref name="samples"/> images of <paramref name="data"/> in batches.</summary>
    public static OnnxRuntimeReport Compare(string onnxPath, ZooModel model, ImageDataset data, int samples, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        using var session = new InferenceSession(onnxPath, options);
        var inputName = session.InputMetadata.Keys.Single();
        var count = Math.Min(samples, data.Count);
        double maxDiff = 0;
        int onnxCorrect = 0, torchCorrect = 0, mismatches = 0;
        var wasTraining = model.training;
        model.eval();
        try
        {
            for (var start = 0; start < count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                using var guard = torch.no_grad();
                var (x, y) = data.GetBatch(start, Math.Min(batchSize, count - start), torch.CPU);
                var torchOut = model.call(x).cpu().contiguous();
                var n = (int)x.shape[0];
                var classes = (int)torchOut.shape[1];
                var input = new DenseTensor<float>(x.contiguous().data<float>().ToArray(), x.shape.Select(d => (int)d).ToArray());
                using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)]);
                var onnxOut = results[0].AsTensor<float>().ToArray();
                var torchValues = torchOut.data<float>().ToArray();
                var labels = y.data<long>().ToArray();
                for (var i = 0; i < n; i++)
                {
                    int bestT = 0, bestO = 0;
                    for (var c = 0; c < classes; c++)
                    {
                        var t = torchValues[(i * classes) + c];
                        var o = onnxOut[(i * classes) + c];
                        maxDiff = Math.Max(maxDiff, Math.Abs(t - o));
                        bestT = t > torchValues[(i * classes) + bestT] ? c : bestT;
                        bestO = o > onnxOut[(i * classes) + bestO] ? c : bestO;
                    }

                    torchCorrect += bestT == labels[i] ? 1 : 0;
                    onnxCorrect += bestO == labels[i] ? 1 : 0;
                    mismatches += bestT != bestO ? 1 : 0;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        return new OnnxRuntimeReport(count, maxDiff, count == 0 ? 0 : (double)onnxCorrect / count, count == 0 ? 0 : (double)torchCorrect / count, mismatches);
    }
}
