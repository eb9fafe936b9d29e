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

    [Fact]
    public void Every_client_gets_the_per_client_limits_and_a_named_client_its_own_each_refusal_naming_the_limit_the_client_and_the_value()
    {
        var limits = new SubmissionLimits
        {
            PerClient = new ClientLimits { MaxActiveExperiments = 1, MaxPopulation = 32 },
            Clients = [new ClientLimits { Client = "bob", MaxActiveExperiments = 3, MaxEvaluations = 500 }],
        };
        var alice = ClientIdentity.Declared("alice");
        var bob = ClientIdentity.Declared("bob");

        Assert.Empty(limits.CheckClient(Spec(32, 100_000), alice, active: 0));
        var busy = Assert.Single(limits.CheckClient(Spec(8, 100), alice, active: 1));
        Assert.Equal("spec", busy.Field);
        Assert.Equal("client 'alice' (declared name, not authenticated) already runs 1 experiment(s), its limit (PrunerCluster:Limits:PerClient:MaxActiveExperiments = 1); cancel one or submit when one ends", busy.Message);

        // bob's own entry raises the active limit and adds an evaluations limit; its population limit falls back to every client's.
        Assert.Empty(limits.CheckClient(Spec(8, 500), bob, active: 2));
        var errors = limits.CheckClient(Spec(33, 501), bob, active: 3);
        Assert.Equal(["search.populationSize", "budget.maxEvaluations", "spec"], errors.Select(e => e.Field));
        Assert.Equal("33 is over the limit of 32 for client 'bob' (declared name, not authenticated) (PrunerCluster:Limits:PerClient:MaxPopulation)", errors[0].Message);
        Assert.Equal("501 is over the limit of 500 for client 'bob' (declared name, not authenticated) (PrunerCluster:Limits:Clients:0:MaxEvaluations)", errors[1].Message);
        Assert.Contains("PrunerCluster:Limits:Clients:0:MaxActiveExperiments = 3", errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_per_client_settings_only_the_clusters_limits_hold()
    {
        var limits = new SubmissionLimits();
        Assert.Empty(limits.CheckClient(Spec(1000, 100_000), ClientIdentity.Anonymous, active: 63));
        Assert.Equal((null, null), limits.For(ClientIdentity.Declared("alice"), nameof(ClientLimits.MaxActiveExperiments)));
    }

    [Fact]
    public void A_certificate_is_named_by_its_subject_or_its_sha256_thumbprint_and_a_declared_name_never_matches_a_certificate_entry_by_thumbprint()
    {
        var certificate = new ClientIdentity("certificate:AB12CD", "CN=alice, O=lab", "AB12CD");
        Assert.True(certificate.Matches("CN=alice, O=lab"));
        Assert.True(certificate.Matches("cn=ALICE, o=lab"));
        Assert.True(certificate.Matches("ab:12:cd"));
        Assert.False(certificate.Matches("alice"));
        Assert.True(ClientIdentity.Declared("alice").Matches("alice"));
        Assert.False(ClientIdentity.Declared("alice").Matches("Alice"));
        Assert.False(ClientIdentity.Declared("AB12CD").Matches("ab12cd"));
        Assert.True(ClientIdentity.Anonymous.Matches("anonymous"));
        Assert.StartsWith("client certificate 'CN=alice, O=lab' (SHA-256 AB12CD", certificate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_per_client_settings_fail_the_silo_options_naming_each_setting()
    {
        var options = new PrunerClusterSiloOptions
        {
            Limits = new SubmissionLimits
            {
                PerClient = new ClientLimits { MaxActiveExperiments = 0 },
                Clients = [new ClientLimits { Client = "bob", MaxPopulation = 1 }, new ClientLimits { MaxEvaluations = 5 }, new ClientLimits { Client = "BOB" }],
            },
        };
        var result = new PrunerClusterSiloOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("PrunerCluster:Limits:PerClient:MaxActiveExperiments must be at least 1, got 0.", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("PrunerCluster:Limits:Clients:0:MaxPopulation must be at least 2, got 1.", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("PrunerCluster:Limits:Clients:1:Client must name a client", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("PrunerCluster:Limits:Clients:2:Client 'BOB' is named by an earlier entry too", result.FailureMessage, StringComparison.Ordinal);
    }
}
