using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Tests;

[Collection(SharedClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class SearchAlgorithmClusterTests(SharedClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private IClusterClient Client => fixture.Client;

    private static ExperimentSpec Spec(string name, string algorithm, int maxEvaluations)
    {
        var spec = TestClusters.Spec(name, population: 6, maxEvaluations: maxEvaluations, durationMs: 20);
        return spec with { Search = spec.Search with { Algorithm = algorithm } };
    }

    [Fact]
    public async Task A_random_search_experiment_runs_to_completion_within_its_budget()
    {
        var id = await Client.SubmitAsync(Spec("random-arm", SearchAlgorithms.Random, maxEvaluations: 18));
        var status = await Client.WaitAsync(id, Timeout);

        Assert.Equal(ExperimentState.Completed, status.State);
        Assert.Equal(18, status.Evaluated);
        Assert.Equal(3, status.Generation);
        var evaluations = await Client.GetExperiment(id).GetEvaluations();
        Assert.Equal(18, evaluations.Select(e => e.MaskHash).Distinct(StringComparer.Ordinal).Count());
        var pareto = await Client.GetExperiment(id).GetParetoSet();
        Assert.NotEmpty(pareto.Entries);
        Assert.Equal(status.ParetoSize, pareto.Entries.Count);
        Assert.All(pareto.Entries, e => Assert.Contains(evaluations, r => r.CandidateId == e.CandidateId && r.Succeeded));
    }

    [Fact]
    public async Task A_rule_baseline_experiment_evaluates_its_masks_once_and_completes_before_the_budget()
    {
        var id = await Client.SubmitAsync(Spec("rules-arm", SearchAlgorithms.Rules, maxEvaluations: 100));
        var status = await Client.WaitAsync(id, Timeout);

        Assert.Equal(ExperimentState.Completed, status.State);
        Assert.InRange(status.Evaluated, 2, 99);
        var evaluations = await Client.GetExperiment(id).GetEvaluations();
        Assert.Equal(status.Evaluated, evaluations.Select(e => e.MaskHash).Distinct(StringComparer.Ordinal).Count());
        Assert.NotEmpty((await Client.GetExperiment(id).GetParetoSet()).Entries);
    }

    [Fact]
    public async Task An_unknown_algorithm_is_rejected_at_submit_naming_the_field()
    {
        var result = await Client.SubmitExperimentAsync(Spec("unknown-arm", "cmaes", maxEvaluations: 10));

        Assert.False(result.Accepted);
        var error = Assert.Single(result.Errors, e => e.Field == "search.algorithm");
        Assert.Contains("'cmaes'", error.Message, StringComparison.Ordinal);
    }
}
