using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Tests.Training;

[Trait("Category", "Unit")]
public sealed class StepSamplerTests
{
    [Fact]
    public void EachEpochVisitsEverySampleOnceAndBatchesMaySpanEpochs()
    {
        var sampler = new StepSampler(count: 10, batch: 4, seed: 9);
        var drawn = Enumerable.Range(0, 5).SelectMany(s => sampler.Positions(s).ToArray()).ToArray();

        Assert.Equal(Enumerable.Range(0, 10), drawn.Take(10).Order());
        Assert.Equal(Enumerable.Range(0, 10), drawn.Skip(10).Take(10).Order());
        Assert.NotEqual(drawn.Take(10), drawn.Skip(10).Take(10));
    }

    [Fact]
    public void AReplayedStepReadsTheSamePositions()
    {
        var sampler = new StepSampler(count: 37, batch: 8, seed: 4);
        var first = Enumerable.Range(0, 12).Select(s => sampler.Positions(s).ToArray()).ToArray();

        for (var s = 3; s < 12; s++)
        {
            Assert.Equal(first[s], sampler.Positions(s));
        }

        Assert.Equal(first[2], new StepSampler(37, 8, 4).Positions(2));
        Assert.NotEqual(first[2], new StepSampler(37, 8, 5).Positions(2));
    }
}
