using PrunerCluster.Contracts;

namespace PrunerCluster.Contracts.Tests;

[Trait("Category", "Unit")]
public sealed class SpecValidatorTests
{
    private static readonly ExperimentSpec Valid = new()
    {
        Name = "fmnist",
        Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
        Constraints = [new(MetricNames.Accuracy, ConstraintOperator.GreaterOrEqual, 0.85)],
        Budget = new BudgetSettings { MaxEvaluations = 100 },
    };

    [Fact]
    public void The_default_spec_and_a_typical_spec_are_valid()
    {
        Assert.Empty(SpecValidator.Validate(new ExperimentSpec()));
        Assert.Empty(SpecValidator.Validate(Valid));
    }

    [Fact]
    public void An_objective_typo_names_the_field_and_suggests_the_metric()
    {
        var errors = SpecValidator.Validate(Valid with { Objectives = [new("acuracy", ObjectiveDirection.Maximize)] });
        var error = Assert.Single(errors);
        Assert.Equal("objectives[0].metric", error.Field);
        Assert.Contains("did you mean 'accuracy'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Contradictory_constraints_are_rejected()
    {
        var errors = SpecValidator.Validate(Valid with
        {
            Constraints = [new(MetricNames.Accuracy, ConstraintOperator.GreaterOrEqual, 0.9), new(MetricNames.Accuracy, ConstraintOperator.LessOrEqual, 0.8)],
        });
        var error = Assert.Single(errors);
        Assert.Equal("constraints[0]", error.Field);
        Assert.Contains("constraints[1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Impossible_fraction_bounds_are_rejected()
    {
        var errors = SpecValidator.Validate(Valid with { Constraints = [new(MetricNames.Accuracy, ConstraintOperator.GreaterOrEqual, 90)] });
        Assert.Equal("constraints[0].threshold", Assert.Single(errors).Field);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-3)]
    public void Population_below_two_is_rejected(int population)
    {
        var errors = SpecValidator.Validate(Valid with { Search = Valid.Search with { PopulationSize = population } });
        Assert.Equal("search.populationSize", Assert.Single(errors).Field);
    }

    [Fact]
    public void Every_structural_problem_is_reported_with_its_field()
    {
        var errors = SpecValidator.Validate(new ExperimentSpec
        {
            Name = " ",
            Model = "",
            Dataset = "",
            Objectives = [],
            Search = new SearchSettings { PopulationSize = 20, CrossoverProbability = 1.5, MutationRate = 0 },
            Budget = new BudgetSettings(),
            Weight = 0,
            Priority = 11,
            MaxConcurrency = -1,
            Synthetic = new SyntheticSettings { DurationSpread = 0.5, SegmentBits = [] },
        }).Select(e => e.Field).ToHashSet();
        string[] expected =
        [
            "name", "model", "dataset", "objectives", "search.crossoverProbability", "search.mutationRate", "budget", "weight",
            "priority", "maxConcurrency", "synthetic.durationSpread", "synthetic.segmentBits",
        ];
        Assert.Subset(errors, expected.ToHashSet());
    }

    [Fact]
    public void Duplicate_objectives_and_unknown_constraint_metrics_are_rejected()
    {
        var errors = SpecValidator.Validate(Valid with
        {
            Objectives = [new(MetricNames.Macs, ObjectiveDirection.Minimize), new(MetricNames.Macs, ObjectiveDirection.Minimize)],
            Constraints = [new("latency", ConstraintOperator.LessOrEqual, 5)],
        });
        Assert.Contains(errors, e => e.Field == "objectives[1].metric");
        var latency = Assert.Single(errors, e => e.Field == "constraints[0].metric");
        Assert.Contains("latency_ms", latency.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Priority_scales_the_share_weight()
    {
        Assert.Equal(1, new ExperimentSpec().ShareWeight);
        Assert.Equal(6, new ExperimentSpec { Weight = 1.5, Priority = 2 }.ShareWeight);
    }
}

[Trait("Category", "Unit")]
public sealed class SearchOptionsValidationTests
{
    [Fact]
    public void Encodings_and_operators_are_checked_by_name()
    {
        var ok = new ExperimentSpec { Search = new SearchSettings { Encoding = "hybrid", KeepLevels = 8, MinChannels = 8, Selection = "RouletteWheel", Crossover = "singlePoint", Mutation = "bitflip" } };
        Assert.Empty(SpecValidator.Validate(ok));
        var bad = new ExperimentSpec { Search = new SearchSettings { Encoding = "bits", KeepLevels = 1, MinChannels = 0, Crossover = "threePoint" } };
        var errors = SpecValidator.Validate(bad);
        Assert.Equal(["search.encoding", "search.keepLevels", "search.minChannels", "search.crossover"], errors.Select(e => e.Field));
        Assert.Contains("got 0", errors.Single(e => e.Field == "search.minChannels").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Final_recovery_settings_are_checked()
    {
        var spec = new ExperimentSpec { FinalRecovery = new FinalRecoverySettings { FineTuneSteps = -1, MaxMembers = -2, LearningRate = 0, MaxDropPoints = -1 } };
        var fields = SpecValidator.Validate(spec).Select(e => e.Field).ToList();
        Assert.Equal(["finalRecovery.fineTuneSteps", "finalRecovery.maxMembers", "finalRecovery.maxDropPoints", "finalRecovery.learningRate"], fields);
    }

    [Fact]
    public void A_fidelity_ladder_is_valid_cheapest_first_and_each_bad_rung_names_its_field()
    {
        var ladder = new ExperimentSpec { Name = "fmnist" } with
        {
            Search = new SearchSettings
            {
                Fidelities = [new FidelityRung { FineTuneSteps = 0, ValidationSamples = 500 }, new FidelityRung { FineTuneSteps = 100 }, new FidelityRung { FineTuneSteps = 300 }],
                PromotionEta = 3,
            },
        };
        Assert.Empty(SpecValidator.Validate(ladder));
        Assert.True(ladder.IsMultiFidelity);
        Assert.Equal(100, ladder.RungAt(1)!.FineTuneSteps);
        Assert.Null(new ExperimentSpec().RungAt(0));

        var bad = ladder with
        {
            Search = ladder.Search with
            {
                Fidelities = [new FidelityRung { FineTuneSteps = 200 }, new FidelityRung { FineTuneSteps = 100, ValidationSamples = 0 }, new FidelityRung { FineTuneSteps = -1 }],
                PromotionEta = 1,
                Mode = SearchMode.Generational,
            },
        };
        var errors = SpecValidator.Validate(bad);
        Assert.Equal(
            ["search.promotionEta", "search.fidelities[1].fineTuneSteps", "search.fidelities[1].validationSamples", "search.fidelities[2].fineTuneSteps", "search.mode"],
            errors.Select(e => e.Field));
        Assert.Contains("got 100", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("steadyState", errors[4].Message, StringComparison.Ordinal);

        foreach (var endgame in new[] { -0.1, 0.95, double.NaN })
        {
            var wrong = SpecValidator.Validate(ladder with { Search = ladder.Search with { Endgame = endgame } });
            var error = Assert.Single(wrong);
            Assert.Equal("search.endgame", error.Field);
            Assert.Contains("[0, 0.9]", error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(SpecValidator.Validate(ladder with { Search = ladder.Search with { Endgame = 0 } }));
    }

    [Fact]
    public void The_rung_is_part_of_an_evaluations_identity()
    {
        var single = IndividualKey.Compute("c", "s", "m", null, null);
        var rung0 = IndividualKey.Compute("c", "s", "m", null, new FidelityRung { FineTuneSteps = 0 });
        var rung0Again = IndividualKey.Compute("c", "s", "m", null, new FidelityRung { FineTuneSteps = 0 });
        var rung1 = IndividualKey.Compute("c", "s", "m", null, new FidelityRung { FineTuneSteps = 100 });
        Assert.Equal(IndividualKey.Compute("c", "s", "m"), single);
        Assert.Equal(rung0, rung0Again);
        Assert.NotEqual(single, rung0);
        Assert.NotEqual(rung0, rung1);
    }
}
