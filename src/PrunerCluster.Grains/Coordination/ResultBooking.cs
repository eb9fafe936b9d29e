using System.Globalization;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Grains.Coordination;

/// <summary>Turns one evaluation outcome into an engine tell and a ledger record, exactly once per candidate.</summary>
public static class ResultBooking
{
    /// <summary>Tells the engine (if it still waits for the candidate) and returns the ledger record; <paramref name="error"/> says why it failed.</summary>
    public static EvaluationRecord Book(ISearchAlgorithm? engine, Problem? problem, InFlightEvaluation entry, EvaluationOutcome outcome, bool fromCache, DateTimeOffset now, out string? error) =>
        Book(engine, problem, entry, outcome, fromCache, now, spec: null, out error);

    /// <summary>As above; with a multi-fidelity <paramref name="spec"/>, a successful record's metrics say the rung and its fine-tune steps.</summary>
    public static EvaluationRecord Book(ISearchAlgorithm? engine, Problem? problem, InFlightEvaluation entry, EvaluationOutcome outcome, bool fromCache, DateTimeOffset now, ExperimentSpec? spec, out string? error)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(outcome);
        var metrics = WithRung(outcome.Metrics, entry, spec);
        var (succeeded, reason) = Tell(engine, problem, entry.CandidateId, outcome.Succeeded, metrics, outcome.FailureReason, ConstraintsAt(spec, entry.Rung));
        error = succeeded ? null : string.Create(CultureInfo.InvariantCulture, $"candidate {entry.CandidateId} ({entry.MaskHash[..Math.Min(12, entry.MaskHash.Length)]}): {reason}");
        return new EvaluationRecord
        {
            CandidateId = entry.CandidateId,
            IndividualKey = entry.Key,
            MaskHash = entry.MaskHash,
            Generation = entry.Generation,
            Succeeded = succeeded,
            FailureReason = succeeded ? null : reason,
            Metrics = metrics,
            Silo = outcome.Silo,
            FromCache = fromCache,
            CompletedAt = now,
            EnergySource = outcome.EnergySource,
            PhaseSeconds = outcome.PhaseSeconds,
        };
    }

    /// <summary>
    /// Recovery: a record already in the ledger whose engine tell was lost (the coordinator died between the chunk write and the
    /// state write) is told again, so the engine and the ledger agree and the evaluation is not run twice.
    /// </summary>
    /// <remarks>A record of a multi-fidelity <paramref name="spec"/> is told at its rung (from its metrics).</remarks>
    public static void Replay(ISearchAlgorithm? engine, Problem? problem, EvaluationRecord record, ExperimentSpec? spec)
    {
        ArgumentNullException.ThrowIfNull(record);
        var rung = record.Metrics.TryGetValue(MetricNames.FidelityRung, out var r) ? (int)r : 0;
        Tell(engine, problem, record.CandidateId, record.Succeeded, record.Metrics, record.FailureReason, ConstraintsAt(spec, rung));
    }

    /// <summary>
    /// Below the top rung of a ladder, constraints on metrics that depend on training (an accuracy drop, say) are not
    /// counted: a candidate that would meet them after the top rung's fine-tuning must not look infeasible at rung 0.
    /// Constraints on structural metrics (MACs, latency...) count at every rung. Null = every constraint counts.
    /// </summary>
    public static Func<string, bool>? ConstraintsAt(ExperimentSpec? spec, int rung) =>
        spec is { IsMultiFidelity: true } && rung < spec.Search.Fidelities!.Count - 1 ? MetricNames.IsStructural : null;

    private static IReadOnlyDictionary<string, double> WithRung(IReadOnlyDictionary<string, double> metrics, InFlightEvaluation entry, ExperimentSpec? spec)
    {
        if (spec?.RungAt(entry.Rung) is not { } rung || metrics.Count == 0)
        {
            return metrics;
        }

        return new Dictionary<string, double>(metrics, StringComparer.Ordinal)
        {
            [MetricNames.FidelityRung] = entry.Rung,
            [MetricNames.FidelitySteps] = rung.FineTuneSteps,
        };
    }

    private static (bool Succeeded, string? Reason) Tell(ISearchAlgorithm? engine, Problem? problem, long candidateId, bool succeeded, IReadOnlyDictionary<string, double> metrics, string? reason, Func<string, bool>? constraints)
    {
        if (engine is null || problem is null || !engine.PendingIds.Contains(candidateId))
        {
            return (succeeded, reason);
        }

        if (!succeeded)
        {
            engine.TellFailure(candidateId, reason ?? "unknown failure");
            return (false, reason ?? "unknown failure");
        }

        try
        {
            engine.Tell(candidateId, problem.Assess(metrics, constraints));
            return (true, null);
        }
        catch (ArgumentException ex)
        {
            var why = "metrics unusable: " + ex.Message;
            engine.TellFailure(candidateId, why);
            return (false, why);
        }
    }
}
