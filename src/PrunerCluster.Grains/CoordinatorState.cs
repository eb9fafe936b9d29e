using PrunerCluster.Contracts;

namespace PrunerCluster.Grains;

/// <summary>An evaluation the coordinator has handed out and not yet heard back from.</summary>
[GenerateSerializer, Alias("prunercluster.InFlightEvaluation")]
public sealed class InFlightEvaluation
{
    [Id(0)] public long CandidateId { get; set; }
    [Id(1)] public string Key { get; set; } = "";
    [Id(2)] public string MaskText { get; set; } = "";
    [Id(3)] public string MaskHash { get; set; } = "";
    [Id(4)] public int Generation { get; set; }

    /// <summary>Silo whose slot the scheduler granted; null while the evaluation waits for a (new) slot.</summary>
    [Id(5)] public string? Silo { get; set; }
    [Id(6)] public DateTimeOffset LastContact { get; set; }
    [Id(7)] public int Attempts { get; set; }
}

/// <summary>
/// Everything a coordinator needs to resume after its silo dies: the spec, the prepared model identity, the evolution
/// engine's full state (RNG, population, pending set, archive, counters) as JSON, the in-flight map and the ledger.
/// Written before any evaluation is dispatched and after every batch of results.
/// </summary>
[GenerateSerializer, Alias("prunercluster.CoordinatorState")]
public sealed class CoordinatorState
{
    [Id(0)] public string? ExperimentId { get; set; }
    [Id(1)] public ExperimentSpec? Spec { get; set; }
    [Id(2)] public ExperimentState State { get; set; } = ExperimentState.Pending;
    [Id(3)] public PreparedExperiment? Prepared { get; set; }
    [Id(4)] public string? AlgorithmJson { get; set; }
    [Id(5)] public Dictionary<long, InFlightEvaluation> InFlight { get; set; } = [];
    [Id(6)] public List<EvaluationRecord> Ledger { get; set; } = [];
    [Id(7)] public int CacheHits { get; set; }
    [Id(8)] public int Reissued { get; set; }
    [Id(9)] public List<string> Errors { get; set; } = [];
    [Id(10)] public DateTimeOffset? SubmittedAt { get; set; }
    [Id(11)] public DateTimeOffset? StartedAt { get; set; }
    [Id(12)] public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>W3C traceparent of the experiment's span, so evaluations stay in its trace after the coordinator moves.</summary>
    [Id(50)] public string? TraceParent { get; set; }
}
