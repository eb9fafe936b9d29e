using PrunerCluster.Engine.Backends;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Lifecycle;

namespace PrunerCluster.Grains.Tests.Lifecycle;

[Trait("Category", "Unit")]
public sealed class LifecyclePolicyTests
{
    private static readonly SlotContext Slot = new(0, "cpu", "cpu", "silo-a");

    [Theory]
    [InlineData("CUDA out of memory. Tried to allocate 2.00 GiB", FailureKind.Transient)]
    [InlineData("evaluation cancelled", FailureKind.Transient)]
    [InlineData("deadline of 00:01:00 exceeded", FailureKind.Transient)]
    [InlineData("fine-tuning diverged: loss is NaN", FailureKind.Deterministic)]
    [InlineData("ExternalException: CUDA error: an illegal memory access was encountered", FailureKind.Transient)]
    [InlineData("dataset: /data/fashion-mnist/t10k-images-idx3-ubyte is missing", FailureKind.Transient)]
    [InlineData("invalid mask: segment conv2 keeps 0 channels", FailureKind.Deterministic)]
    [InlineData("mask does not match the genome layout: 3 bits, expected 8", FailureKind.Deterministic)]
    public void Unclassified_failures_are_judged_by_their_reason(string reason, FailureKind expected) =>
        Assert.Equal(expected, FailureClassifier.Classify(EvaluationOutcome.Failure(reason)));

    [Fact]
    public void Successes_are_never_failures_and_a_backends_own_kind_wins()
    {
        Assert.Equal(FailureKind.None, FailureClassifier.Classify(new EvaluationOutcome { Succeeded = true }));
        Assert.Equal(FailureKind.Deterministic, FailureClassifier.Classify(EvaluationOutcome.Failure("out of memory") with { Kind = FailureKind.Deterministic }));
        Assert.Equal(FailureKind.Transient, FailureClassifier.Classify(EvaluationOutcome.TransientFailure("silo lost its device")));
    }

    [Fact]
    public void Exceptions_are_transient_and_say_what_happened()
    {
        var oom = FailureClassifier.FromException(new OutOfMemoryException("pinned memory"), "s1");
        Assert.Equal(FailureKind.Transient, oom.Kind);
        Assert.Contains("out of memory", oom.FailureReason, StringComparison.Ordinal);
        Assert.Equal("s1", oom.Silo);
        var crash = FailureClassifier.FromException(new InvalidOperationException("libtorch aborted"), "s1");
        Assert.Equal(FailureKind.Transient, crash.Kind);
        Assert.Contains("crashed", crash.FailureReason, StringComparison.Ordinal);
        Assert.Contains("libtorch aborted", crash.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Retry_cap_counts_transient_failures_and_remembers_the_silos()
    {
        var policy = new RetryPolicy(3);
        var entry = new InFlightEvaluation { CandidateId = 1, Key = "k" };
        Assert.Equal(RetryDecision.Retry, policy.OnTransientFailure(entry, "a", "oom"));
        Assert.Equal(1, entry.TransientFailures);
        Assert.Equal(RetryDecision.Retry, policy.OnTransientFailure(entry, "b", "oom again"));
        Assert.Equal(RetryDecision.GiveUp, policy.OnTransientFailure(entry, "c", "crash"));
        Assert.Equal(["a", "b", "c"], entry.FailedSilos);
        var reason = policy.GiveUpReason(entry);
        Assert.Contains("3 of 3", reason, StringComparison.Ordinal);
        Assert.Contains("crash", reason, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(0));
    }

    [Fact]
    public void Grants_go_to_silos_that_have_not_failed_the_candidate_when_there_is_one()
    {
        var failedOnA = new InFlightEvaluation { CandidateId = 1, FailedSilos = ["a"] };
        var fresh = new InFlightEvaluation { CandidateId = 2 };
        var failedEverywhere = new InFlightEvaluation { CandidateId = 3, FailedSilos = ["a", "b"] };
        var (assigned, left) = RetryPolicy.Assign([failedOnA, fresh, failedEverywhere], ["a", "b", "a", "a"]);
        Assert.Equal([(failedOnA, "b"), (fresh, "a"), (failedEverywhere, "a")], assigned);
        Assert.Equal(["a"], left);
        Assert.Equal(["a", "b"], RetryPolicy.AvoidList([failedOnA, fresh, failedEverywhere]));
    }

    [Fact]
    public void Deadline_comes_from_the_spec_else_the_settings_else_the_cluster()
    {
        var fallback = TimeSpan.FromMinutes(30);
        var torch = new ExperimentSpec();
        Assert.Equal(fallback, DeadlinePolicy.Resolve(torch, fallback));
        Assert.Equal(TimeSpan.FromSeconds(5), DeadlinePolicy.Resolve(torch with { EvaluationDeadline = TimeSpan.FromSeconds(5) }, fallback));
        var synthetic = new ExperimentSpec { Backend = "synthetic", Synthetic = new SyntheticSettings { Duration = TimeSpan.FromSeconds(2), DurationSpread = 1.5 } };
        Assert.Equal(TimeSpan.FromSeconds(60), DeadlinePolicy.Resolve(synthetic, fallback));
        Assert.Equal(DeadlinePolicy.MinimumDerived, DeadlinePolicy.Resolve(synthetic with { Synthetic = new SyntheticSettings { Duration = TimeSpan.FromMilliseconds(10) } }, fallback));
    }

    [Fact]
    public void Device_class_names_are_validated_derived_and_keyed_only_when_measured_objectives_need_them()
    {
        Assert.True(DeviceClassName.IsValid("nvidia-h100"));
        Assert.False(DeviceClassName.IsValid("NVIDIA H100"));
        Assert.False(DeviceClassName.IsValid(""));
        Assert.Equal("nvidia-h100-80gb-hbm3", DeviceClassName.Normalize("NVIDIA H100 80GB HBM3"));
        Assert.Equal("cpu-x64-2c", DeviceClassName.ForCpu("X64", 2));
        Assert.False(DeviceClassName.DependsOnDevice(new ExperimentSpec()));
        Assert.True(DeviceClassName.DependsOnDevice(new ExperimentSpec { Objectives = [new(MetricNames.LatencyMs, ObjectiveDirection.Minimize)] }));
        Assert.True(DeviceClassName.DependsOnDevice(new ExperimentSpec { Constraints = [new(MetricNames.EnergyMj, ConstraintOperator.LessOrEqual, 3)] }));

        var plain = IndividualKey.Compute("c", "s", "m");
        Assert.Equal(plain, IndividualKey.Compute("c", "s", "m", null));
        Assert.NotEqual(plain, IndividualKey.Compute("c", "s", "m", "nvidia-h100"));
        Assert.NotEqual(IndividualKey.Compute("c", "s", "m", "cpu-x64-2c"), IndividualKey.Compute("c", "s", "m", "nvidia-h100"));
    }

    [Fact]
    public void Lifecycle_fields_of_the_spec_are_validated_naming_the_field()
    {
        var errors = SpecValidator.Validate(new ExperimentSpec
        {
            EvaluationDeadline = TimeSpan.Zero,
            MaxAttempts = 0,
            DeviceClass = "Big GPU",
            Synthetic = new SyntheticSettings { Faults = [new SyntheticFault { MaskFraction = 2, AttemptsPerSilo = -1 }] },
        });
        var fields = errors.Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("evaluationDeadline", fields);
        Assert.Contains("maxAttempts", fields);
        Assert.Contains("deviceClass", fields);
        Assert.Contains("synthetic.faults[0].maskFraction", fields);
        Assert.Contains("synthetic.faults[0].attemptsPerSilo", fields);
    }

    [Fact]
    public async Task A_hanging_attempt_is_cancelled_at_its_deadline_and_reported_transient()
    {
        var backend = new SyntheticEvaluationBackend(TimeProvider.System);
        var request = Request(backend, new SyntheticFault { Kind = SyntheticFaultKind.Hang, MaskFraction = 1 }, TimeSpan.FromMilliseconds(300));
        var run = Task.Run(() => EvaluationAttempt.Run(backend, request, Slot, "cpu-test", TimeProvider.System, CancellationToken.None));
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(outcome.Succeeded);
        Assert.Equal(FailureKind.Transient, outcome.Kind);
        Assert.Contains("deadline", outcome.FailureReason, StringComparison.Ordinal);
        Assert.Equal("cpu-test", outcome.DeviceClass);
        Assert.Equal("silo-a", outcome.Silo);
    }

    [Fact]
    public async Task Cancel_crash_and_out_of_memory_are_transient_and_faults_stop_after_their_attempts()
    {
        var backend = new SyntheticEvaluationBackend(TimeProvider.System);
        using var cancel = new CancellationTokenSource();
        var hang = Request(backend, new SyntheticFault { Kind = SyntheticFaultKind.Hang, MaskFraction = 1 }, TimeSpan.FromHours(1));
        var run = Task.Run(() => EvaluationAttempt.Run(backend, hang, Slot, "c", TimeProvider.System, cancel.Token));
        cancel.Cancel();
        var cancelledOutcome = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(FailureKind.Transient, cancelledOutcome.Kind);
        Assert.Contains("cancelled", cancelledOutcome.FailureReason, StringComparison.Ordinal);

        var crash = Request(backend, new SyntheticFault { Kind = SyntheticFaultKind.Crash, MaskFraction = 1 }, TimeSpan.FromHours(1), salt: "crash");
        var crashed = EvaluationAttempt.Run(backend, crash, Slot, "c", TimeProvider.System, CancellationToken.None);
        Assert.Equal(FailureKind.Transient, crashed.Kind);
        Assert.Contains("synthetic crash", crashed.FailureReason, StringComparison.Ordinal);

        var oom = Request(backend, new SyntheticFault { Kind = SyntheticFaultKind.OutOfMemory, MaskFraction = 1, AttemptsPerSilo = 2 }, TimeSpan.FromHours(1), salt: "oom");
        Assert.Equal(FailureKind.Transient, EvaluationAttempt.Run(backend, oom, Slot, "c", TimeProvider.System, CancellationToken.None).Kind);
        Assert.Equal(FailureKind.Transient, EvaluationAttempt.Run(backend, oom, Slot, "c", TimeProvider.System, CancellationToken.None).Kind);
        var third = EvaluationAttempt.Run(backend, oom, Slot, "c", TimeProvider.System, CancellationToken.None);
        Assert.True(third.Succeeded, third.FailureReason);
        Assert.Equal(FailureKind.None, third.Kind);

        var none = new SyntheticFault { Kind = SyntheticFaultKind.Crash, MaskFraction = 0 };
        Assert.False(SyntheticEvaluationBackend.Affects(oom.MaskHash, none, 1));
    }

    private static EvaluationRequest Request(SyntheticEvaluationBackend backend, SyntheticFault fault, TimeSpan deadline, string salt = "t")
    {
        var spec = new ExperimentSpec
        {
            Backend = "synthetic",
            Model = "vgg",
            Dataset = "synthetic",
            Synthetic = new SyntheticSettings { Duration = TimeSpan.Zero, SegmentBits = [4], Salt = salt, Faults = [fault] },
        };
        var prepared = backend.PrepareAsync(spec, CancellationToken.None).GetAwaiter().GetResult();
        var layout = new GenomeLayout([.. prepared.Segments.Select(g => new SegmentSpec(g.Name, g.Bits, g.IntGenes, g.IntGeneMax, g.MinKeep))]);
        var mask = Genome.Full(layout).ToCanonicalString();
        return new EvaluationRequest
        {
            ExperimentId = "e",
            CandidateId = 1,
            Spec = spec,
            Prepared = prepared,
            MaskText = mask,
            MaskHash = Sha256Hex.Of(mask),
            Deadline = deadline,
        };
    }
}
