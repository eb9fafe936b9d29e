using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Grains.Coordination;

/// <summary>The coordinator's read side: immutable status and Pareto set built from its state, ledger and engine.</summary>
public static class CoordinatorViews
{
    public static ExperimentStatus Status(string experimentId, CoordinatorState s, EvaluationLedger ledger, ISearchAlgorithm? engine, double? hypervolume, double fairShare, string coordinatorSilo, string? storageProblem, PreparationProgress? preparation = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(ledger);
        var errors = storageProblem is null ? s.Errors.ToArray() : [.. s.Errors, storageProblem];
        return new ExperimentStatus
        {
            ExperimentId = experimentId,
            Name = s.Spec?.Name ?? "",
            State = s.State,
            Evaluated = ledger.Count,
            Failed = ledger.Failed,
            InFlight = s.InFlight.Values.Count(e => e.Silo is not null),
            CacheHits = s.CacheHits,
            Reissued = s.Reissued,
            Refused = s.Refused,
            Generation = engine?.Generation ?? 0,
            Progress = s.State == ExperimentState.Completed ? 1 : engine?.Progress ?? 0,
            Hypervolume = hypervolume,
            ParetoSize = engine?.ParetoFront.Count ?? 0,
            Errors = errors,
            SubmittedAt = s.SubmittedAt,
            StartedAt = s.StartedAt,
            FinishedAt = s.FinishedAt,
            SlotShare = (int)Math.Round(fairShare),
            CoordinatorSilo = coordinatorSilo,
            ShareWeight = s.Spec?.ShareWeight ?? 0,
            RecoveryPlanned = s.FinalJobs?.Count ?? 0,
            RecoveryDone = s.FinalJobs?.Count(j => j.Outcome is not null) ?? 0,
            Preparation = s.State == ExperimentState.Preparing ? preparation : null,
        };
    }

    /// <summary>The line status shows while storage is down; null while it is healthy.</summary>
    public static string? StorageProblem(WriteAheadStore store) => store is { Healthy: false, DownSince: { } since }
        ? FormattableString.Invariant($"storage unavailable since {since:HH:mm:ss} UTC; dispatch paused until it is back: {store.LastError?.Message}")
        : null;

    /// <summary>
    /// A member measured below the top rung of a ladder is on the engine's front without its training-dependent
    /// constraints (see <see cref="ResultBooking.ConstraintsAt"/>); it is shown only if its measured metrics meet them all.
    /// </summary>
    public static bool ShownOnTheFront(ExperimentSpec? spec, ArchiveEntry member, EvaluationRecord? record)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (spec is not { IsMultiFidelity: true } || member.Rung >= spec.Search.Fidelities!.Count - 1 || record is null)
        {
            return true;
        }

        return spec.Constraints.All(c => record.Metrics.TryGetValue(c.Metric, out var v) && EvolutionMapping.Constraint(c).Violation(v) == 0);
    }

    /// <summary>The engine's Pareto front joined with the ledger, sorted by the first objective (best first).</summary>
    public static ParetoSet Pareto(string experimentId, CoordinatorState s, EvaluationLedger ledger, ISearchAlgorithm? engine, double? hypervolume)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(ledger);
        var entries = new List<ParetoEntry>();
        if (engine is not null)
        {
            foreach (var member in engine.ParetoFront)
            {
                var record = ledger.Find(member.CandidateId);
                if (!ShownOnTheFront(s.Spec, member, record))
                {
                    continue;
                }

                entries.Add(new ParetoEntry
                {
                    CandidateId = member.CandidateId,
                    MaskText = member.Genome.ToCanonicalString(),
                    MaskHash = member.Genome.ContentHash,
                    IndividualKey = record?.IndividualKey ?? "",
                    Metrics = record?.Metrics ?? new Dictionary<string, double>(),
                    Generation = record?.Generation ?? 0,
                    Silo = record?.Silo ?? "",
                    EnergySource = record?.EnergySource ?? "",
                });
            }
        }

        var first = s.Spec is { Objectives.Count: > 0 } ? s.Spec.Objectives[0] : null;
        var sorted = first is null
            ? entries
            : [.. entries.OrderBy(e => e.Metrics.GetValueOrDefault(first.Metric) * (first.Direction == ObjectiveDirection.Maximize ? -1 : 1)).ThenBy(e => e.CandidateId)];
        return new ParetoSet
        {
            ExperimentId = experimentId,
            Objectives = s.Spec?.Objectives ?? [],
            Entries = sorted,
            Evaluated = ledger.Count,
            Hypervolume = hypervolume,
            BaselineMetrics = s.Prepared?.BaselineMetrics ?? new Dictionary<string, double>(),
        };
    }
}
