using Google.Protobuf;
using Onnx;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.TestModels;

/// <summary>
/// A small residual network with BatchNorm written as ONNX in C#, and the same network as <c>torch.onnx.export</c> writes it after
/// training: BatchNorm folded into the convolutions (each convolution gains a bias), which is what users import.
/// </summary>
internal static class FoldedResNet
{
    /// <summary>
    /// input -> stem conv3x3 s2 (16) + BN + ReLU -> [conv3x3 (16) + BN + ReLU -> conv3x3 (16) + BN] + stem -> ReLU
    /// -> conv3x3 s2 (32) + BN + ReLU -> GlobalAveragePool -> Flatten -> Gemm(classes).
    /// </summary>
    public static ModelProto WithBatchNorm(int channels, int size, int classes, int seed = 11)
    {
        var g = new GraphProto { Name = "tiny-resnet" };
        var b = new OnnxGraphs.ProtoBuilder(g, new Random(seed));
        g.Input.Add(OnnxGraphs.Value("image", channels, size));
        var s = b.Relu(b.Bn("stem_bn", b.Conv("stem", "image", channels, 16, 3, 2, 1, bias: false), 16));
        var h = b.Relu(b.Bn("b1_bn", b.Conv("b1", s, 16, 16, 3, 1, 1, bias: false), 16));
        h = b.Bn("b2_bn", b.Conv("b2", h, 16, 16, 3, 1, 1, bias: false), 16);
        var r = b.Relu(b.Node("Add", "add", [h, s]));
        var d = b.Relu(b.Bn("down_bn", b.Conv("down", r, 16, 32, 3, 2, 1, bias: false), 32));
        var pooled = b.Node("GlobalAveragePool", "gap", [d]);
        var flat = b.Node("Flatten", "flatten", [pooled], ("axis", 1L));
        var logits = b.Gemm("fc", flat, 32, classes);
        g.Output.Add(new ValueInfoProto { Name = logits });
        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }

    /// <summary>
    /// Imports <see cref="WithBatchNorm"/>, trains it with BatchNorm for <paramref name="steps"/> steps on <paramref name="train"/>
    /// (Adam 2e-3, cosine, seed 1), folds the BatchNorms into the convolutions and writes the folded model to
    /// <paramref name="path"/> as ONNX. Returns the trained model with BatchNorm (the caller disposes it).
    /// <paramref name="gammaScale"/> then moves scale from the BatchNorms before a ReLU into the layer after it (gamma and beta times
    /// the factor, the next layer's weights divided by it: the same function, as ReLU is positively homogeneous), as weight decay
    /// leaves the gammas of a trained ResNet small: the folded convolutions get small weights, which a high fine-tuning rate wrecks.
    /// </summary>
    public static ZooModel TrainAndExportFolded(ImageDataset train, int steps, string path, double gammaScale = 1.0)
    {
        var source = Path.ChangeExtension(path, ".bn.onnx");
        File.WriteAllBytes(source, WithBatchNorm(train.Channels, train.ImageSize, train.Classes).ToByteArray());
        var model = OnnxImporter.Load(source);
        try
        {
            var outcome = Trainer.Train(model, train, new FineTuneOptions { Steps = steps, BatchSize = 64, LearningRate = 2e-3, Seed = 1 });
            if (outcome.Diverged)
            {
                throw new InvalidOperationException("training the test ResNet diverged: " + outcome.Reason);
            }

            model.eval();
            if (gammaScale != 1.0)
            {
                using var guard = TorchSharp.torch.no_grad();
                var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter, StringComparer.Ordinal);
                foreach (var (bn, next) in new[] { ("b1_bn", "b2"), ("down_bn", "fc") })
                {
                    p[bn + ".weight"].mul_(gammaScale);
                    p[bn + ".bias"].mul_(gammaScale);
                    p[next + ".weight"].div_(gammaScale);
                }
            }

            using var folded = InferenceForm.Fold(model);
            if (folded.Graph.Nodes.Any(n => n.Op == GraphOp.BatchNorm))
            {
                throw new InvalidOperationException("the folded test ResNet still has a BatchNorm");
            }

            OnnxExporter.Export(folded, path);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
