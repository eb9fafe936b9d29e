using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Lifecycle;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// Every change an evaluation's fate makes to the coordinator's books: booking a result (engine tell + ledger, exactly once),
/// re-issuing (the entry waits for a new slot), a refusal (remembered per candidate and silo), and a transient failure
/// (retried elsewhere, or booked as failed at the retry cap). <see cref="Dirty"/> says the state must be stored before the
/// next dispatch; <see cref="Barrier"/> that the engine had no more candidates until a result arrives.
/// </summary>
public sealed class EvaluationBookkeeper(
    CoordinatorState state,
    InFlightTable inFlight,
    EvaluationLedger ledger,
    RefusalMemory refusals,
    ICoordinatorEvents events,
    TimeProvider time,
    int defaultMaxAttempts,
    int maxRecordedErrors)
{
    public ISearchAlgorithm? Engine { get; set; }

    public Problem? Problem { get; set; }

    public bool Dirty { get; set; }

    public bool Barrier { get; set; }

    public InFlightTable InFlight => inFlight;

    public EvaluationLedger Ledger => ledger;

    public RefusalMemory Refusals => refusals;

    public RetryPolicy Retry => new(state.Spec?.MaxAttempts ?? defaultMaxAttempts);

    /// <summary>Tells the engine one result (failures included) and books it in the ledger exactly once.</summary>
    public void Record(long candidateId, EvaluationOutcome outcome, bool fromCache)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!inFlight.Remove(candidateId, out var entry))
        {
            return;
        }

        refusals.Forget(candidateId);
        if (entry.FinalRecovery)
        {
            // Final recovery is booked in its job, never told to the engine or appended to the search's ledger.
            FinalRecoveryStage.Book(state.FinalJobs, candidateId, outcome);
            events.Booked(candidateId, outcome.Succeeded, fromCache, outcome.Silo);
            Dirty = true;
            return;
        }

        if (outcome.Succeeded)
        {
            outcome = outcome with { Metrics = LatencyScales.Apply(state.LatencyScales, outcome.DeviceClass, outcome.Metrics) };
        }

        var record = ResultBooking.Book(Engine, Problem, entry, outcome, fromCache, time.GetUtcNow(), state.Spec, out var error);
        if (error is not null)
        {
            AddError(error);
        }

        ledger.Append(record);
        events.Booked(candidateId, record.Succeeded, fromCache, outcome.Silo);
        Barrier = false;
        Dirty = true;
    }

    /// <summary>The entry's slot is gone: it waits for a new grant.</summary>
    public void Reissue(InFlightEvaluation entry, string reason)
    {
        ArgumentNullException.ThrowIfNull(entry);
        InFlightTable.Release(entry, time.GetUtcNow());
        state.Reissued++;
        events.Reissued(entry.CandidateId, reason);
        Dirty = true;
    }

    /// <summary>
    /// A silo refused the work (not an attempt). One out of capacity is not sent this candidate again until it frees a slot;
    /// a refusal that only moves the activation to the granted silo is simply retried.
    /// </summary>
    public void Refused(InFlightEvaluation entry, string? refusingSilo, bool moving)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var silo = refusingSilo ?? entry.Silo;
        if (!moving && silo is not null)
        {
            refusals.Refused(entry.CandidateId, silo, time.GetUtcNow());
        }

        state.Refused++;
        Reissue(entry, "refused");
    }

    /// <summary>
    /// The dispatch never reached <paramref name="silo"/> (not an attempt): the silo counts as full, so neither this candidate
    /// nor new work goes there until it frees a slot or the hold expires, by which time membership has voted a dead silo out.
    /// </summary>
    public void Unreachable(InFlightEvaluation entry, string? silo)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (silo is not null)
        {
            refusals.Refused(entry.CandidateId, silo, time.GetUtcNow());
        }

        Reissue(entry, "unreachable");
    }

    /// <summary>Retries elsewhere, or records the candidate as failed once the retry cap is reached.</summary>
    public void TransientFailure(InFlightEvaluation entry, string? silo, string reason)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var retry = Retry;
        if (retry.OnTransientFailure(entry, silo, reason) == RetryDecision.Retry)
        {
            events.TransientFailure(entry.CandidateId, reason, "retrying on another silo");
            Reissue(entry, "transient-failure");
            return;
        }

        events.TransientFailure(entry.CandidateId, reason, "retry cap reached");
        Record(entry.CandidateId, EvaluationOutcome.TransientFailure(retry.GiveUpReason(entry), silo ?? ""), fromCache: false);
    }

    /// <summary>An evaluation finished (on <see cref="EvaluationOutcome.Silo"/>, whose slot is free again): book or retry it.</summary>
    public bool Completed(string individualKey, EvaluationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        refusals.SiloFreed(outcome.Silo);
        if (!inFlight.TryGetByKey(individualKey, out var candidateId) || !inFlight.TryGet(candidateId, out var entry))
        {
            return false;
        }

        if (outcome.Kind == FailureKind.Transient)
        {
            TransientFailure(entry, string.IsNullOrEmpty(outcome.Silo) ? entry.Silo : outcome.Silo, outcome.FailureReason ?? "transient failure");
        }
        else
        {
            Record(candidateId, outcome, fromCache: false);
        }

        return true;
    }

    /// <summary>In-flight entries the ledger already books were completed before a crash: tell the engine, drop them.</summary>
    public void ReconcileWithLedger()
    {
        foreach (var entry in inFlight.Entries.ToList())
        {
            if (ledger.Find(entry.CandidateId) is { } record)
            {
                inFlight.Remove(entry.CandidateId, out _);
                ResultBooking.Replay(Engine, Problem, record, state.Spec);
                Dirty = true;
            }
        }
    }

    /// <summary>Withdrawn (the experiment ends): nothing of them is booked.</summary>
    public void DropAll()
    {
        foreach (var entry in inFlight.Entries.ToList())
        {
            inFlight.Remove(entry.CandidateId, out _);
            refusals.Forget(entry.CandidateId);
        }

        Dirty = true;
    }

    public void AddError(string error)
    {
        state.Errors.Add(error);
        if (state.Errors.Count > maxRecordedErrors)
        {
            state.Errors.RemoveRange(0, state.Errors.Count - maxRecordedErrors);
        }
    }
}
