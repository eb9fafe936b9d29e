using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Tests.Training;

[Trait("Category", "Slow")]
public sealed class LearningRateScheduleTests
{
    [Fact]
    public void WarmupRisesLinearlyThenTheCosineDecays()
    {
        var options = new FineTuneOptions { Steps = 100, LearningRate = 1e-3, WarmupSteps = 10 };
        Assert.Equal(1e-4, Trainer.ScheduledRate(options, 10, 0) / (0.5 * (1 + Math.Cos(0))), 12);
        Assert.Equal(1e-3 * 0.5 * (1 + Math.Cos(Math.PI * 9 / 100)), Trainer.ScheduledRate(options, 10, 9), 12);
        Assert.Equal(1e-3 * 0.5 * (1 + Math.Cos(Math.PI * 50 / 100)), Trainer.ScheduledRate(options, 10, 50), 12);
        Assert.True(Trainer.ScheduledRate(options, 10, 99) < 1e-6);
        Assert.Equal(1e-3, Trainer.ScheduledRate(options with { Cosine = false }, 10, 60), 12);
    }

    [Fact]
    public void AWarmupFractionOutsideItsRangeIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationSettings { WarmupFraction = 0.6 }.Validate());
        new EvaluationSettings { WarmupFraction = 0.1 }.Validate();
        Assert.DoesNotContain("WarmupFraction", new EvaluationSettings().ToJson(), StringComparison.Ordinal);
    }
}
