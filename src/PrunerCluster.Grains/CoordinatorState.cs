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

    /// <summary>Attempts that failed transiently (deadline, out-of-memory, crash, silo death); the retry cap counts these.</summary>
    [Id(70)] public int TransientFailures { get; set; }

    /// <summary>Silos that failed or refused this evaluation; new grants prefer others.</summary>
    [Id(71)] public List<string> FailedSilos { get; set; } = [];
    [Id(72)] public string? LastFailure { get; set; }

    /// <summary>Dispatches of this evaluation that got no answer in time and were re-issued without counting an attempt.</summary>
    [Id(73)] public int DispatchTimeouts { get; set; }

    /// <summary>Fidelity rung of search.fidelities the candidate is evaluated at (0 for a single-fidelity search).</summary>
    [Id(74)] public int Rung { get; set; }

    /// <summary>A final recovery after the search (its candidate id is negative and it is booked in <see cref="CoordinatorState.FinalJobs"/>, not in the ledger).</summary>
    [Id(75)] public bool FinalRecovery { get; set; }

    /// <summary>For a final recovery: the folder name the silo saves the recovered model under, when its host keeps models; null = none.</summary>
    [Id(76)] public string? ExportName { get; set; }

    /// <summary>A final recovery's warm start (<see cref="FinalRecoveryJob.WarmStartKey"/>); search evaluations derive theirs from the rung below.</summary>
    [Id(77)] public string? WarmStartKey { get; set; }

    [Id(78)] public int WarmStartSteps { get; set; }
}

/// <summary>
/// Everything a coordinator needs to resume after its silo dies: the spec, the prepared model identity, the search
/// algorithm's full state (<see cref="Evolution.ISearchState"/>: RNG, population, pending set, archive, counters) as
/// JSON, the in-flight map and how many ledger records are stored. The ledger itself lives in append-only chunks (<see cref="LedgerChunkState"/>), written first.
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
    [Id(7)] public int CacheHits { get; set; }
    [Id(8)] public int Reissued { get; set; }

    /// <summary>Re-issues because a silo refused the work (full, or the activation moved); also counted in <see cref="Reissued"/>.</summary>
    [Id(80)] public int Refused { get; set; }
    [Id(9)] public List<string> Errors { get; set; } = [];
    [Id(10)] public DateTimeOffset? SubmittedAt { get; set; }
    [Id(11)] public DateTimeOffset? StartedAt { get; set; }
    [Id(12)] public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Device class this experiment's evaluations are pinned to (spec's, or the first granted silo's); null until known or when not needed.</summary>
    [Id(70)] public string? DeviceClass { get; set; }

    /// <summary>Reference latency (ms) per device class that every booked latency_ms is scaled to (see <see cref="Coordination.LatencyScales"/>).</summary>
    [Id(90)] public Dictionary<string, double> LatencyScales { get; set; } = [];

    /// <summary>W3C traceparent of the experiment's span, so evaluations stay in its trace after the coordinator moves.</summary>
    [Id(50)] public string? TraceParent { get; set; }

    /// <summary>Ledger records stored in chunks when this state was written (chunks may hold more: see the coordinator's recovery).</summary>
    [Id(60)] public int LedgerCount { get; set; }

    /// <summary>Records per ledger chunk, fixed for the experiment's lifetime.</summary>
    [Id(61)] public int LedgerChunkSize { get; set; }

    /// <summary>Final recovery after the search: the unpruned model and the chosen Pareto members; null until the search ends (or without final recovery).</summary>
    [Id(100)] public List<FinalRecoveryJob>? FinalJobs { get; set; }

    [Id(101)] public DateTimeOffset? RecoveryStartedAt { get; set; }
}

/// <summary>One append-only chunk of an experiment's evaluation ledger (grain storage state "ledger-NNNNNN" of the coordinator).</summary>
[GenerateSerializer, Alias("prunercluster.LedgerChunkState")]
public sealed class LedgerChunkState
{
    [Id(0)] public List<EvaluationRecord> Records { get; set; } = [];
}
