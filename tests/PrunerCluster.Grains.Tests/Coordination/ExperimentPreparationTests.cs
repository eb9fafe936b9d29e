using PrunerCluster.Engine.Backends;
using PrunerCluster.Grains.Coordination;
using PrunerCluster.Grains.Evaluation;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Cluster")]
public sealed class ExperimentPreparationTests
{
    [Fact]
    public async Task A_prepared_search_restores_from_its_saved_state_and_asks_the_same_candidates()
    {
        var time = new ManualTime();
        var spec = TestClusters.Spec("prep", population: 4, maxEvaluations: 8);
        var search = await ExperimentPreparation.PrepareAsync(new SyntheticEvaluationBackend(time), spec, time, CancellationToken.None);
        Assert.False(search.Engine.IsTerminated);
        Assert.NotEmpty(search.Prepared.CheckpointHash);

        var json = search.Engine.SaveState().ToJson();
        var restored = ExperimentPreparation.Restore(spec, search.Prepared, json, time);
        Assert.Equal(
            search.Engine.Ask(3).Select(c => c.Genome.ContentHash),
            restored.Engine.Ask(3).Select(c => c.Genome.ContentHash));
    }

    [Fact]
    public async Task A_corrupt_saved_state_is_refused_and_a_failing_backend_fails_preparation()
    {
        var time = new ManualTime();
        var spec = TestClusters.Spec("prep", population: 4, maxEvaluations: 8);
        var search = await ExperimentPreparation.PrepareAsync(new SyntheticEvaluationBackend(time), spec, time, CancellationToken.None);
        Assert.ThrowsAny<Exception>(() => ExperimentPreparation.Restore(spec, search.Prepared, "{not json", time));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ExperimentPreparation.PrepareAsync(new SyntheticEvaluationBackend(time), spec, time, cancelled.Token));
    }
}
