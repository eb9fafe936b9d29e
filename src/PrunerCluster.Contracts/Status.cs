namespace PrunerCluster.Contracts;

[GenerateSerializer, Alias("prunercluster.ExperimentState")]
public enum ExperimentState
{
    Pending = 0,
    Preparing = 1,
    Running = 2,
    Paused = 3,
    Cancelled = 4,
    Completed = 5,
    Failed = 6,

    /// <summary>The search is over; the chosen Pareto members and the unpruned model are being recovered on the cluster's slots (<c>finalRecovery</c>).</summary>
    Recovering = 7,
}

public static class ExperimentStateExtensions
{
    public static bool IsTerminal(this ExperimentState state) =>
        state is ExperimentState.Cancelled or ExperimentState.Completed or ExperimentState.Failed;
}

/// <summary>Progress and health of one experiment.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.ExperimentStatus")]
public sealed record ExperimentStatus
{
    /// <summary>Starts an entry of <see cref="Errors"/> that warns (about the data, say) rather than reports a failure.</summary>
    public const string WarningPrefix = "warning: ";

    /// <summary>Starts the entry of <see cref="Errors"/> that records the experiment's input normalisation (no failure).</summary>
    public const string NormalizationPrefix = "input normalisation ";

    /// <summary>True for an entry of <see cref="Errors"/> that reports no failure (a warning, the input normalisation).</summary>
    public static bool IsNote(string entry) =>
        entry is not null && (entry.StartsWith(WarningPrefix, StringComparison.Ordinal) || entry.StartsWith(NormalizationPrefix, StringComparison.Ordinal));

    [Id(0)] public required string ExperimentId { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public ExperimentState State { get; init; }
    [Id(3)] public int Evaluated { get; init; }
    [Id(4)] public int Failed { get; init; }
    [Id(5)] public int InFlight { get; init; }

    /// <summary>Results served from an identical earlier evaluation (same checkpoint, settings and mask).</summary>
    [Id(6)] public int CacheHits { get; init; }

    /// <summary>Evaluations dispatched again because their silo died or their lease ran out.</summary>
    [Id(7)] public int Reissued { get; init; }
    [Id(8)] public int Generation { get; init; }
    [Id(9)] public double Progress { get; init; }
    [Id(10)] public double? Hypervolume { get; init; }
    [Id(11)] public int ParetoSize { get; init; }
    [Id(12)] public IReadOnlyList<string> Errors { get; init; } = [];
    [Id(13)] public DateTimeOffset? SubmittedAt { get; init; }
    [Id(14)] public DateTimeOffset? StartedAt { get; init; }
    [Id(15)] public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Slots the fair-share scheduler currently lets this experiment use.</summary>
    [Id(16)] public int SlotShare { get; init; }
    [Id(17)] public string CoordinatorSilo { get; init; } = "";
    [Id(18)] public double ShareWeight { get; init; }

    /// <summary>While <see cref="ExperimentState.Preparing"/>: the baseline's training progress, when the backend reports one.</summary>
    [Id(19)] public PreparationProgress? Preparation { get; init; }

    /// <summary>Of <see cref="Reissued"/>, those a silo refused (no free slot, or the activation moved to the granted silo).</summary>
    [Id(80)] public int Refused { get; init; }

    /// <summary>Final-recovery evaluations planned (the chosen Pareto members and the unpruned model); 0 before the search ends or without final recovery.</summary>
    [Id(100)] public int RecoveryPlanned { get; init; }

    /// <summary>Of <see cref="RecoveryPlanned"/>, those finished (failures included).</summary>
    [Id(101)] public int RecoveryDone { get; init; }
}

/// <summary>One member of the Pareto set.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.ParetoEntry")]
public sealed record ParetoEntry
{
    [Id(0)] public long CandidateId { get; init; }
    [Id(1)] public required string MaskText { get; init; }
    [Id(2)] public required string MaskHash { get; init; }
    [Id(3)] public required string IndividualKey { get; init; }
    [Id(4)] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    [Id(5)] public int Generation { get; init; }
    [Id(6)] public string EnergySource { get; init; } = "";
    [Id(7)] public string Silo { get; init; } = "";
}

/// <summary>The non-dominated feasible masks found so far, sorted by the first objective.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.ParetoSet")]
public sealed record ParetoSet
{
    [Id(0)] public required string ExperimentId { get; init; }
    [Id(1)] public IReadOnlyList<ObjectiveDefinition> Objectives { get; init; } = [];
    [Id(2)] public IReadOnlyList<ParetoEntry> Entries { get; init; } = [];
    [Id(3)] public int Evaluated { get; init; }
    [Id(4)] public double? Hypervolume { get; init; }
    [Id(5)] public IReadOnlyDictionary<string, double> BaselineMetrics { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// The members in the order of the Pareto table, whose position is the number <c>export --pick</c> takes: by the first
    /// minimized objective (else the first objective, else MACs), then by mask hash.
    /// </summary>
    public IReadOnlyList<ParetoEntry> InTableOrder()
    {
        var key = Objectives.FirstOrDefault(o => o.Direction == ObjectiveDirection.Minimize)?.Metric
            ?? (Objectives.Count > 0 ? Objectives[0].Metric : MetricNames.Macs);
        return Entries
            .OrderBy(e => e.Metrics.TryGetValue(key, out var v) ? v : double.MaxValue)
            .ThenBy(e => e.MaskHash, StringComparer.Ordinal)
            .ToArray();
    }
}

/// <summary>One evaluation in the experiment's ledger (every candidate is accounted for here exactly once).</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.EvaluationRecord")]
public sealed record EvaluationRecord
{
    [Id(0)] public long CandidateId { get; init; }
    [Id(1)] public required string IndividualKey { get; init; }
    [Id(2)] public required string MaskHash { get; init; }
    [Id(3)] public int Generation { get; init; }
    [Id(4)] public bool Succeeded { get; init; }
    [Id(5)] public string? FailureReason { get; init; }
    [Id(6)] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    [Id(7)] public string Silo { get; init; } = "";
    [Id(8)] public bool FromCache { get; init; }
    [Id(9)] public DateTimeOffset CompletedAt { get; init; }

    /// <summary>How energy was obtained: "measured-nvml", "measured-rapl", "modeled" or "synthetic".</summary>
    [Id(10)] public string EnergySource { get; init; } = "";

    /// <summary>Seconds per evaluation phase (apply, fine-tune, validate, latency...).</summary>
    [Id(11)] public IReadOnlyDictionary<string, double> PhaseSeconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>A problem with a submitted spec; <see cref="Field"/> is the spec path, e.g. "objectives[1].metric".</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.SpecError")]
public sealed record SpecError([property: Id(0)] string Field, [property: Id(1)] string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

[GenerateSerializer, Immutable, Alias("prunercluster.SubmissionResult")]
public sealed record SubmissionResult
{
    [Id(0)] public bool Accepted { get; init; }
    [Id(1)] public string? ExperimentId { get; init; }
    [Id(2)] public IReadOnlyList<SpecError> Errors { get; init; } = [];

    public static SubmissionResult Rejected(IReadOnlyList<SpecError> errors) => new() { Accepted = false, Errors = errors };
}

/// <summary>Row of the registry's experiment list.</summary>
[GenerateSerializer, Immutable, Alias("prunercluster.ExperimentSummary")]
public sealed record ExperimentSummary
{
    [Id(0)] public required string ExperimentId { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public DateTimeOffset SubmittedAt { get; init; }
    [Id(3)] public ExperimentStatus? Status { get; init; }

    /// <summary>
    /// Who submitted it: <c>certificate:&lt;SHA-256 thumbprint&gt;</c> (mutual TLS), <c>name:&lt;declared name&gt;</c> (no
    /// TLS; advisory only) or <c>anonymous</c>; null for experiments submitted before clients were told apart.
    /// </summary>
    [Id(4)] public string? Client { get; init; }
}
