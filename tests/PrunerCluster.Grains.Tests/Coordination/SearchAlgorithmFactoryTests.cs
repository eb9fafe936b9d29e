using PrunerCluster.Engine.Backends;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Coordination;
using PrunerCluster.Grains.Evaluation;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class SearchAlgorithmFactoryTests
{
    private static ExperimentSpec Spec(string? algorithm, ulong seed = 7)
    {
        var spec = TestClusters.Spec("arms", population: 4, maxEvaluations: 40, seed: seed);
        return spec with { Search = spec.Search with { Algorithm = algorithm } };
    }

    private static Task<PreparedSearch> Prepare(ExperimentSpec spec, ManualTime time) =>
        ExperimentPreparation.PrepareAsync(new SyntheticEvaluationBackend(time), spec, time, CancellationToken.None);

    [Theory]
    [InlineData(null, typeof(Nsga2))]
    [InlineData("nsga2", typeof(Nsga2))]
    [InlineData("Random", typeof(RandomSearch))]
    [InlineData("rules", typeof(RuleBaseline))]
    public async Task The_spec_names_the_algorithm_and_its_saved_state_restores_it(string? algorithm, Type expected)
    {
        var time = new ManualTime();
        var spec = Spec(algorithm);
        var search = await Prepare(spec, time);
        Assert.IsType(expected, search.Engine);

        var restored = ExperimentPreparation.Restore(spec, search.Prepared, search.Engine.SaveState().ToJson(), time);
        Assert.IsType(expected, restored.Engine);
        Assert.Equal(
            search.Engine.Ask(3).Select(c => c.Genome.ContentHash),
            restored.Engine.Ask(3).Select(c => c.Genome.ContentHash));
    }

    [Fact]
    public async Task Random_search_asks_the_same_masks_for_the_same_seed_and_others_for_another()
    {
        var time = new ManualTime();
        async Task<string> Masks(ulong seed) => string.Join(",", (await Prepare(Spec("random", seed), time)).Engine.Ask(6).Select(c => c.Genome.ContentHash));

        Assert.Equal(await Masks(7), await Masks(7));
        Assert.NotEqual(await Masks(7), await Masks(8));
    }

    [Fact]
    public async Task The_rule_baseline_proposes_the_masks_nsga2_is_seeded_with_then_stops()
    {
        var time = new ManualTime();
        var rules = (await Prepare(Spec("rules"), time)).Engine;
        var nsga2 = (await Prepare(Spec("nsga2"), time)).Engine;

        var masks = rules.Ask(100);
        Assert.True(masks.Count >= 2, $"only {masks.Count} rule masks");
        Assert.Equal(masks.Select(c => c.Genome), nsga2.Ask(masks.Count).Select(c => c.Genome));
        foreach (var c in masks)
        {
            rules.TellFailure(c.Id, "not evaluated");
        }

        Assert.True(rules.IsTerminated);
    }
}
