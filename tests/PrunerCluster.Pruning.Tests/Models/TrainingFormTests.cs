using PrunerCluster.Pruning.Graph;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Onnx;
using PrunerCluster.Pruning.Training;
using PrunerCluster.TestModels;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Tests.Models;

/// <summary>
/// The as-trained form of a folded (imported) model: BatchNorm re-inserted after every folded convolution starts as the identity of
/// the deployed model, and after training folds back into the deployed graph with the trained model's outputs, so export, timing and
/// the MAC and parameter counts see the deployed form.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TrainingFormTests
{
    public TrainingFormTests() => TestSupport.Init();

    [Fact]
    public void Rebuilt_batchnorms_start_as_the_identity_and_fold_back_into_the_deployed_graph_with_the_trained_outputs()
    {
        var data = TestSupport.Synthetic(256, channels: 1, size: 16, classes: 4);
        var path = Path.Combine(TestSupport.TempDirectory(), "tiny-resnet.onnx");
        using (FoldedResNet.TrainAndExportFolded(data, steps: 20, path))
        {
        }

        using var deployed = OnnxImporter.Load(path);
        Assert.DoesNotContain(deployed.Graph.Nodes, n => n.Op == GraphOp.BatchNorm);
        var graphBefore = deployed.Graph.ToCanonicalString();
        var macs = deployed.Macs;
        var parameters = deployed.ParameterCount;
        Assert.Equal(4, TrainingForm.FoldedConvolutions(deployed.Graph).Count);

        using var form = TrainingForm.Build(deployed, data, batches: 4, batchSize: 32, seed: 1);
        Assert.NotNull(form);
        Assert.Equal(4, form.Convolutions.Count);
        Assert.Equal(4, form.Model.Graph.Nodes.Count(n => n.Op == GraphOp.BatchNorm));
        Assert.All(form.Model.Graph.Nodes.Where(n => n.Op == GraphOp.BatchNorm), n => Assert.EndsWith(TrainingForm.Suffix, n.Name, StringComparison.Ordinal));
        var initial = MaxDifference(form.Model, deployed, data);
        Assert.True(initial < 1e-4, $"the rebuilt form differs from the deployed model by {initial} before training");

        // Rescaled to He scale per output channel: sqrt(2 / fan-in) per element for the 3x3 convolutions over 16 channels.
        using (torch.no_grad())
        {
            var b1 = form.Model.named_parameters().First(p => p.name == "b1.weight").parameter;
            using var rms = b1.pow(2).mean([1, 2, 3]).sqrt();
            Assert.True((rms - Math.Sqrt(2.0 / (16 * 9))).abs().max().item<float>() < 1e-4);
        }

        var outcome = Trainer.Train(form.Model, data, new FineTuneOptions { Steps = 12, BatchSize = 32, LearningRate = 2e-3, Seed = 3 });
        Assert.False(outcome.Diverged, outcome.Reason);
        form.FoldInto(deployed);
        form.Model.eval();

        var trained = MaxDifference(form.Model, deployed, data);
        Assert.True(trained < 1e-4, $"the folded-back model differs from the trained model with BatchNorm by {trained}");
        Assert.Equal(graphBefore, deployed.Graph.ToCanonicalString());
        Assert.Equal(macs, deployed.Macs);
        Assert.Equal(parameters, deployed.ParameterCount);
        Assert.True(form.Model.ParameterCount > deployed.ParameterCount, "the training form counts its BatchNorms; the deployed form does not");
    }

    [Fact]
    public void A_graph_with_its_batchnorms_or_without_biased_convolutions_gets_none()
    {
        var data = TestSupport.Synthetic(64, channels: 3, size: 16, classes: 4);
        var path = Path.Combine(TestSupport.TempDirectory(), "tiny-resnet-bn.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(FoldedResNet.WithBatchNorm(3, 16, 4)));
        using var withBatchNorm = OnnxImporter.Load(path);
        Assert.Empty(TrainingForm.FoldedConvolutions(withBatchNorm.Graph));
        Assert.Null(TrainingForm.Build(withBatchNorm, data, 2, 16, 1));
    }

    private static float MaxDifference(ZooModel a, ZooModel b, Pruning.Data.ImageDataset data)
    {
        a.eval();
        b.eval();
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        var (x, _) = data.GetBatch(0, 64, CPU);
        return (a.call(x) - b.call(x)).abs().max().item<float>();
    }
}
