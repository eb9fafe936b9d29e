using Orleans.Concurrency;

namespace PrunerCluster.Contracts;

/// <summary>Receives evaluation results pushed by individual grains.</summary>
[Alias("prunercluster.IEvaluationSubscriber")]
public interface IEvaluationSubscriber : IGrainWithStringKey
{
    [Alias("OnEvaluationCompleted")]
    Task OnEvaluationCompleted(string individualKey, EvaluationOutcome outcome);

    /// <summary>
    /// The individual's silo is draining (shutting down) and gave the evaluation back before it started: dispatch it again
    /// at once, on another silo.
    /// </summary>
    [OneWay, Alias("OnEvaluationHandedBack")]
    Task OnEvaluationHandedBack(string individualKey, string reason);
}

/// <summary>
/// One prune mask's evaluation, keyed by <see cref="IndividualKey"/> (checkpoint + settings + mask content), so identical
/// masks are evaluated once even across experiments. Placed only on silos that advertise evaluation slots.
/// </summary>
[Alias("prunercluster.IIndividualGrain")]
public interface IIndividualGrain : IGrainWithStringKey
{
    /// <summary>
    /// Returns at once: the persisted outcome when this key was already evaluated; otherwise null, after starting the
    /// evaluation (or joining the one in flight). The subscriber then receives <see cref="IEvaluationSubscriber.OnEvaluationCompleted"/>.
    /// Evaluations take minutes, far beyond Orleans' 30 s response timeout, so no call ever waits for one.
    /// </summary>
    [Alias("StartEvaluation")]
    Task<EvaluationOutcome?> StartEvaluation(EvaluationRequest request, IEvaluationSubscriber? subscriber);

    [Alias("GetSnapshot")]
    Task<IndividualSnapshot> GetSnapshot();

    /// <summary>
    /// The subscriber no longer needs the result (its experiment was cancelled). When no subscriber is left, the work in
    /// flight is cancelled; its slot frees within the backend's cancellation latency and nothing is stored.
    /// </summary>
    [Alias("Unsubscribe")]
    Task Unsubscribe(IEvaluationSubscriber subscriber);
}

/// <summary>Drives one experiment's search (one grain per experiment id).</summary>
[Alias("prunercluster.IPopulationCoordinatorGrain")]
/// <remarks>Reads are <see cref="AlwaysInterleaveAttribute"/>: they never wait behind a dispatch or a storage write.</remarks>
public interface IPopulationCoordinatorGrain : IEvaluationSubscriber
{
    /// <summary>Starts the experiment (idempotent for the same spec). Validation happens in the registry.</summary>
    [Alias("Start")]
    Task<ExperimentStatus> Start(ExperimentSpec spec, DateTimeOffset submittedAt);

    [AlwaysInterleave, Alias("GetStatus")]
    Task<ExperimentStatus> GetStatus();

    [AlwaysInterleave, Alias("GetParetoSet")]
    Task<ParetoSet> GetParetoSet();

    [AlwaysInterleave, Alias("GetEvaluations")]
    Task<IReadOnlyList<EvaluationRecord>> GetEvaluations();

    [AlwaysInterleave, Alias("GetSpec")]
    Task<ExperimentSpec?> GetSpec();

    /// <summary>
    /// The final table: the chosen Pareto members and the unpruned model after final recovery on the cluster's slots (test
    /// set, re-timed). Null until every recovery has finished, and for a search without <c>finalRecovery</c>.
    /// </summary>
    [AlwaysInterleave, Alias("GetFinalRecovery")]
    Task<FinalRecoveryResult?> GetFinalRecovery();

    [Alias("Cancel")]
    Task<ExperimentStatus> Cancel();

    [Alias("Pause")]
    Task<ExperimentStatus> Pause();

    [Alias("Resume")]
    Task<ExperimentStatus> Resume();

    /// <summary>Nudge from the slot scheduler: slots this experiment is entitled to are free.</summary>
    [OneWay, Alias("OnSlotsAvailable")]
    Task OnSlotsAvailable();
}

/// <summary>Cluster-wide list of experiments; the entry point for submitting.</summary>
[Alias("prunercluster.IExperimentRegistryGrain")]
public interface IExperimentRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Validates the spec (structure, metric names, backend: model, dataset) and starts it when valid.</summary>
    [Alias("Submit")]
    Task<SubmissionResult> Submit(ExperimentSpec spec);

    /// <summary>Validation only.</summary>
    [Alias("Validate")]
    Task<SubmissionResult> Validate(ExperimentSpec spec);

    [Alias("List")]
    Task<IReadOnlyList<ExperimentSummary>> List();
}

/// <summary>Request for evaluation slots from the fair-share scheduler.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.SlotRequest")]
public sealed record SlotRequest
{
    [Id(0)] public required string ExperimentId { get; init; }
    [Id(1)] public double Weight { get; init; } = 1;

    /// <summary>Per-experiment concurrency cap; 0 = none.</summary>
    [Id(2)] public int Cap { get; init; }

    /// <summary>Additional slots wanted now.</summary>
    [Id(3)] public int Want { get; init; }

    /// <summary>Slots this experiment holds right now, by silo (authoritative: replaces the scheduler's record).</summary>
    [Id(4)] public IReadOnlyDictionary<string, int> Held { get; init; } = new Dictionary<string, int>();

    /// <summary>Grant only silos of this device class; null = any class (the grant then names the class it chose).</summary>
    [Id(70)] public string? DeviceClass { get; init; }

    /// <summary>Silos to avoid when another one has a free slot (they failed or refused this experiment's work).</summary>
    [Id(71)] public IReadOnlyList<string> Avoid { get; init; } = [];

    /// <summary>Every granted silo is of one class (the grant names it): set when measured objectives need a pinned class.</summary>
    [Id(72)] public bool SingleClass { get; init; }
}

[GenerateSerializer, Immutable, Alias("prunercluster.SlotGrant")]
public sealed record SlotGrant
{
    /// <summary>One silo (parsable address) per granted slot.</summary>
    [Id(0)] public IReadOnlyList<string> Silos { get; init; } = [];

    /// <summary>This experiment's weighted fair share of the cluster's slots at the moment.</summary>
    [Id(1)] public double FairShare { get; init; }
    [Id(2)] public int TotalSlots { get; init; }
    [Id(3)] public int FreeSlots { get; init; }

    /// <summary>Device class of the granted silos (all the same); null when nothing was granted.</summary>
    [Id(70)] public string? DeviceClass { get; init; }

    /// <summary>Active silos with evaluation slots that this request could be granted (of its device class, when it names one).</summary>
    [Id(71)] public int SlotSilos { get; init; }
}

[GenerateSerializer, Immutable, Alias("prunercluster.SchedulerSnapshot")]
public sealed record SchedulerSnapshot
{
    /// <summary>Leases per silo: its slots plus the evaluations it may queue ahead of them.</summary>
    [Id(0)] public IReadOnlyDictionary<string, int> SlotsBySilo { get; init; } = new Dictionary<string, int>();
    [Id(1)] public IReadOnlyDictionary<string, int> UsedBySilo { get; init; } = new Dictionary<string, int>();
    [Id(2)] public IReadOnlyDictionary<string, int> HeldByExperiment { get; init; } = new Dictionary<string, int>();

    /// <summary>Device class advertised by each silo.</summary>
    [Id(70)] public IReadOnlyDictionary<string, string> ClassBySilo { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Weighted fair-share slot scheduler (one per cluster, key 0). Soft state: every coordinator reports what it holds on
/// each request, so a re-activated scheduler rebuilds its books within one coordinator tick.
/// </summary>
[Alias("prunercluster.ISlotSchedulerGrain")]
public interface ISlotSchedulerGrain : IGrainWithIntegerKey
{
    [Alias("Acquire")]
    Task<SlotGrant> Acquire(SlotRequest request, IPopulationCoordinatorGrain coordinator);

    [Alias("Leave")]
    Task Leave(string experimentId);

    /// <summary>
    /// A silo (parsable address) is draining: grant no more slots on it and drop what experiments hold there, so their
    /// handed-back evaluations are granted elsewhere. Soft state, forgotten once the silo leaves the membership.
    /// </summary>
    [Alias("Drain")]
    Task Drain(string silo);

    [Alias("GetSnapshot")]
    Task<SchedulerSnapshot> GetSnapshot();
}

/// <summary>Well-known grain keys.</summary>
public static class PrunerClusterGrainKeys
{
    public const long Registry = 0;
    public const long Scheduler = 0;
}
