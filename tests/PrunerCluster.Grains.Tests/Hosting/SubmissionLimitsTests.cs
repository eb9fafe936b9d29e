using PrunerCluster.Contracts;
using PrunerCluster.Grains.Hosting;

namespace PrunerCluster.Grains.Tests.Hosting;

[Trait("Category", "Unit")]
public sealed class SubmissionLimitsTests
{
    private static ExperimentSpec Spec(int population, int? evaluations) =>
        new() { Name = "limits", Search = new() { PopulationSize = population }, Budget = new() { MaxEvaluations = evaluations } };

    [Fact]
    public void A_spec_within_the_limits_passes_and_each_field_over_them_is_named_with_its_value_and_the_setting()
    {
        var limits = new SubmissionLimits { MaxPopulation = 64, MaxEvaluations = 1000 };
        Assert.Empty(limits.Check(Spec(64, 1000)));
        Assert.Empty(limits.Check(Spec(8, null)));

        var errors = limits.Check(Spec(65, 1001));
        Assert.Equal(["search.populationSize", "budget.maxEvaluations"], errors.Select(e => e.Field));
        Assert.Contains("65", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("PrunerCluster:Limits:MaxPopulation", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("1001", errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submissions_beyond_the_active_experiment_limit_are_refused_until_one_ends()
    {
        var limits = new SubmissionLimits { MaxActiveExperiments = 2 };
        Assert.Null(limits.CheckActive(1));
        var busy = limits.CheckActive(2);
        Assert.NotNull(busy);
        Assert.Contains("MaxActiveExperiments = 2", busy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_below_their_minimum_fail_the_silo_options_at_startup()
    {
        var options = new PrunerClusterSiloOptions { Limits = new SubmissionLimits { MaxPopulation = 1, MaxActiveExperiments = 0 } };
        var result = new PrunerClusterSiloOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("MaxPopulation", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("MaxActiveExperiments", result.FailureMessage, StringComparison.Ordinal);
    }
}
