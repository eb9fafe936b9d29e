using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Pruning.Tests.Training;

[Trait("Category", "Slow")]
public sealed class TrainerRollbackTests
{
    private static readonly FineTuneOptions Options = new() { Steps = 40, BatchSize = 16, LearningRate = 1e-2, Seed = 3 };

    public TrainerRollbackTests() => TestSupport.Init();

    [Fact]
    public void AStepThatLeavesNonFiniteWeightsIsUndoneAndReplayedToTheSameWeights()
    {
        var data = TestSupport.SyntheticSplit(train: 200);
        using var clean = ModelZoo.Create("mlp", 1, 16, 4, 5);
        using var faulty = MaskApplier.Clone(clean);

        var expected = Trainer.Train(clean, data.Train, Options);
        var corrupted = false;
        var outcome = Trainer.Train(faulty, data.Train, Options, onStep: (step, _) =>
        {
            if (step == 21 && !corrupted)
            {
                corrupted = true;
                Poison(faulty);
            }
        });

        Assert.True(corrupted);
        Assert.False(outcome.Diverged, outcome.Reason);
        Assert.Equal(1, outcome.Rollbacks);
        Assert.Equal(0, expected.Rollbacks);
        Assert.Equal(expected.FinalLoss, outcome.FinalLoss);
        Assert.Equal(expected.MeanLoss, outcome.MeanLoss, 12);
        var cleanWeights = clean.state_dict();
        foreach (var (name, tensor) in faulty.state_dict())
        {
            Assert.True(tensor.allclose(cleanWeights[name], rtol: 0, atol: 0), name);
        }
    }

    [Fact]
    public void AFaultOnEveryReplayOfAStepIsADivergence()
    {
        var data = TestSupport.SyntheticSplit(train: 200);
        using var model = ModelZoo.Create("mlp", 1, 16, 4, 5);

        var outcome = Trainer.Train(model, data.Train, Options, onStep: (step, _) =>
        {
            if (step == 21)
            {
                Poison(model);
            }
        });

        Assert.True(outcome.Diverged);
        Assert.Equal(Trainer.MaxFaultsPerStep - 1, outcome.Rollbacks);
        Assert.Contains("replays of that step", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(22, outcome.StepsDone);
    }

    [Fact]
    public void ALossAboveTheDivergenceLimitStillFailsAtOnce()
    {
        var data = TestSupport.SyntheticSplit(train: 200);
        using var model = ModelZoo.Create("mlp", 1, 16, 4, 5);

        var outcome = Trainer.Train(model, data.Train, Options with { DivergenceLoss = 1e-6 });

        Assert.True(outcome.Diverged);
        Assert.Equal(0, outcome.Rollbacks);
        Assert.Equal(0, outcome.StepsDone);
    }

    private static void Poison(ZooModel model)
    {
        using var guard = torch.no_grad();
        model.parameters().First().fill_(float.NaN);
    }
}
