using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Contracts.Tests;

[Trait("Category", "Unit")]
public sealed class SearchAlgorithmSettingTests
{
    private static readonly ExperimentSpec Valid = new()
    {
        Name = "arms",
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        Budget = new BudgetSettings { MaxEvaluations = 100 },
    };

    [Theory]
    [InlineData(null, "nsga2")]
    [InlineData("nsga2", "nsga2")]
    [InlineData(" Random ", "random")]
    [InlineData("RULES", "rules")]
    public void Known_algorithms_are_valid_case_insensitively(string? name, string canonical)
    {
        Assert.Empty(SpecValidator.Validate(Valid with { Search = new SearchSettings { Algorithm = name } }));
        Assert.Equal(canonical, SearchAlgorithms.Canonical(name));
    }

    [Fact]
    public void An_unknown_algorithm_names_the_field_the_value_and_the_choices()
    {
        var error = Assert.Single(SpecValidator.Validate(Valid with { Search = new SearchSettings { Algorithm = "cmaes" } }));
        Assert.Equal("search.algorithm", error.Field);
        Assert.Contains("'cmaes'", error.Message, StringComparison.Ordinal);
        Assert.Contains("nsga2, random, rules", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_nsga2_runs_a_fidelity_ladder()
    {
        var ladder = new SearchSettings { Fidelities = [new FidelityRung { FineTuneSteps = 0 }, new FidelityRung { FineTuneSteps = 100 }] };
        Assert.Empty(SpecValidator.Validate(Valid with { Search = ladder }));

        var error = Assert.Single(SpecValidator.Validate(Valid with { Search = ladder with { Algorithm = "random" } }));
        Assert.Equal("search.algorithm", error.Field);
        Assert.Contains("'random'", error.Message, StringComparison.Ordinal);
        Assert.Contains("nsga2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_algorithm_round_trips_through_the_orleans_serializer()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var spec = Valid with { Search = new SearchSettings { Algorithm = SearchAlgorithms.Random, Seed = 5 } };

        var copy = serializer.Deserialize<ExperimentSpec>(serializer.SerializeToArray(spec));

        Assert.NotNull(copy);
        Assert.Equal(spec.Search, copy.Search);
        Assert.Null(new SearchSettings().Algorithm);
    }
}
