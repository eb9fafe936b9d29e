using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Contracts.Tests;

[Trait("Category", "Unit")]
public sealed class IdentityAndSerializationTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private static T RoundTrip<T>(T value)
    {
        var copy = Serializer.Deserialize<T>(Serializer.SerializeToArray(value));
        Assert.NotNull(copy);
        return copy;
    }

    [Fact]
    public void The_individual_key_is_a_sha256_over_checkpoint_settings_and_mask()
    {
        var key = IndividualKey.Compute("c1", "s1", "m1");
        Assert.Equal(64, key.Value.Length);
        Assert.Equal(key, IndividualKey.Compute("c1", "s1", "m1"));
        Assert.NotEqual(key, IndividualKey.Compute("c2", "s1", "m1"));
        Assert.NotEqual(key, IndividualKey.Compute("c1", "s2", "m1"));
        Assert.NotEqual(key, IndividualKey.Compute("c1", "s1", "m2"));
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", Sha256Hex.Of("hello"));
    }

    [Fact]
    public void The_spec_round_trips_through_the_orleans_serializer()
    {
        var spec = new ExperimentSpec
        {
            Name = "round-trip",
            Backend = "synthetic",
            Constraints = [new(MetricNames.LatencyMs, ConstraintOperator.LessOrEqual, 12.5)],
            Search = new SearchSettings { PopulationSize = 12, Mode = SearchMode.Generational, MutationRate = 0.02, Seed = 99 },
            Budget = new BudgetSettings { MaxGenerations = 7, WallClock = TimeSpan.FromMinutes(9) },
            Evaluation = new EvaluationSettingsSpec { FineTuneSteps = 50, Mode = "structured", SparsityLevels = [0.25, 0.5] },
            Weight = 2,
            Priority = 1,
            MaxConcurrency = 3,
            Synthetic = new SyntheticSettings { Duration = TimeSpan.FromMilliseconds(150), DurationSpread = 4, Salt = "x" },
        };

        var copy = RoundTrip(spec);
        Assert.Equal(spec.Name, copy.Name);
        Assert.Equal(spec.Search, copy.Search);
        Assert.Equal(spec.Budget, copy.Budget);
        Assert.Equal(spec.Constraints, copy.Constraints);
        Assert.Equal(spec.Objectives, copy.Objectives);
        Assert.Equal(spec.Evaluation.SparsityLevels, copy.Evaluation.SparsityLevels);
        Assert.Equal(spec.Synthetic!.Duration, copy.Synthetic!.Duration);
        Assert.Equal(spec.ShareWeight, copy.ShareWeight);
    }

    [Fact]
    public void Dataset_normalize_and_the_recorded_normalisation_cross_the_wire()
    {
        var spec = new ExperimentSpec
        {
            DatasetSource = new DatasetSourceSpec { Format = "cifar-binary", Root = "/c", Normalize = InputNormalizationSpec.Explicit([0.5, 0.4, 0.3], [0.2, 0.25, 0.3]) },
        };
        var copy = RoundTrip(spec).DatasetSource!.Normalize!;
        Assert.Null(copy.Preset);
        Assert.Equal([0.5, 0.4, 0.3], copy.Mean);
        Assert.Equal([0.2, 0.25, 0.3], copy.Std);
        Assert.Equal("imagenet", RoundTrip(spec with { DatasetSource = spec.DatasetSource with { Normalize = InputNormalizationSpec.Named("imagenet") } }).DatasetSource!.Normalize!.Preset);

        var prepared = new PreparedExperiment { Segments = [], CheckpointHash = "c", SettingsHash = "s", InputNormalization = "imagenet: mean 0.485, 0.456, 0.406, std 0.229, 0.224, 0.225" };
        Assert.Equal(prepared.InputNormalization, RoundTrip(prepared).InputNormalization);
    }

    [Fact]
    public void Outcomes_status_and_pareto_sets_round_trip()
    {
        var outcome = new EvaluationOutcome
        {
            Succeeded = true,
            Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = 0.91, [MetricNames.Macs] = 1234 },
            EnergySource = "modeled",
            PhaseSeconds = new Dictionary<string, double> { ["finetune"] = 3.5 },
            Device = "cuda:0",
            Silo = "S127.0.0.1:11111:1",
            StartedAt = DateTimeOffset.UnixEpoch,
            CompletedAt = DateTimeOffset.UnixEpoch.AddMinutes(2),
        };
        var copy = RoundTrip(outcome);
        Assert.Equal(outcome.Metrics, copy.Metrics);
        Assert.Equal(outcome.PhaseSeconds, copy.PhaseSeconds);
        Assert.Equal(outcome.Device, copy.Device);
        Assert.Equal(outcome.CompletedAt, copy.CompletedAt);

        var failed = RoundTrip(EvaluationOutcome.Failure("out of memory", "s", "cpu"));
        Assert.False(failed.Succeeded);
        Assert.Equal("out of memory", failed.FailureReason);

        var pareto = new ParetoSet
        {
            ExperimentId = "e-1",
            Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize)],
            Entries = [new ParetoEntry { CandidateId = 4, MaskText = "1101", MaskHash = "abc", IndividualKey = "k", Metrics = outcome.Metrics }],
            Evaluated = 10,
            Hypervolume = 0.5,
        };
        var paretoCopy = RoundTrip(pareto);
        Assert.Equal("1101", Assert.Single(paretoCopy.Entries).MaskText);
        Assert.Equal(0.5, paretoCopy.Hypervolume);

        var status = new ExperimentStatus { ExperimentId = "e-1", State = ExperimentState.Paused, Errors = ["x"], Hypervolume = 0.25 };
        var statusCopy = RoundTrip(status);
        Assert.Equal(ExperimentState.Paused, statusCopy.State);
        Assert.Equal(["x"], statusCopy.Errors);
        Assert.True(ExperimentState.Cancelled.IsTerminal());
        Assert.False(ExperimentState.Paused.IsTerminal());
    }
}
