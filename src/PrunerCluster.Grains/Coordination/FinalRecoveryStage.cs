using System.Globalization;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// Final recovery as cluster work: when the search ends, the unpruned model and the chosen Pareto members become
/// evaluations with the longer <c>finalRecovery</c> budget, scored on the test set and re-timed on whichever silo has a free
/// slot; once all are booked they make the final table (<see cref="FinalRecoveryResult"/>), the same in embedded and cluster mode.
/// </summary>
public static class FinalRecoveryStage
{
    public const string UnprunedLabel = "unpruned";

    public static bool Wanted(ExperimentSpec? spec) => spec?.FinalRecovery is { Enabled: true };

    /// <summary>
    /// The jobs for <paramref name="pareto"/>: the unpruned model first, then the members <see cref="FinalRecoverySelection"/>
    /// picks, in the Pareto table's order, each labelled with its number there. Empty when no member qualifies.
    /// </summary>
    public static List<FinalRecoveryJob> Plan(ExperimentSpec spec, PreparedExperiment prepared, ParetoSet pareto, string? keyDeviceClass)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(pareto);
        var recovery = spec.FinalRecovery ?? new FinalRecoverySettings();
        var front = pareto.InTableOrder();
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < front.Count; i++)
        {
            ranks.TryAdd(front[i].MaskHash, i + 1);
        }

        var unprunedMacs = prepared.BaselineMetrics.TryGetValue(MetricNames.Macs, out var macs) ? macs : (double?)null;
        var chosen = FinalRecoverySelection.Members(front, recovery, unprunedMacs).OrderBy(e => ranks[e.MaskHash]).ToList();
        if (chosen.Count == 0)
        {
            return [];
        }

        var full = Genome.Full(EvolutionMapping.Layout(prepared));
        var jobs = new List<FinalRecoveryJob> { Job(-1, UnprunedLabel, full.ToCanonicalString(), full.ContentHash, [], null) };
        foreach (var member in chosen)
        {
            var rank = ranks[member.MaskHash];
            var name = string.Create(CultureInfo.InvariantCulture, $"member-{rank:D2}-{member.MaskHash[..Math.Min(12, member.MaskHash.Length)]}");
            jobs.Add(Job(-1 - jobs.Count, string.Create(CultureInfo.InvariantCulture, $"#{rank}"), member.MaskText, member.MaskHash, new Dictionary<string, double>(member.Metrics), name));
        }

        return jobs;

        FinalRecoveryJob Job(long id, string label, string maskText, string maskHash, Dictionary<string, double> metrics, string? exportName)
        {
            var (warmKey, warmSteps) = WarmStart(spec, prepared, maskHash, metrics, keyDeviceClass);
            return new()
            {
                CandidateId = id,
                Label = label,
                MaskText = maskText,
                MaskHash = maskHash,
                Key = IndividualKey.ForFinalRecovery(prepared.CheckpointHash, prepared.SettingsHash, maskHash, keyDeviceClass, recovery, warmKey).Value,
                SearchMetrics = metrics,
                ExportName = exportName,
                WarmStartKey = warmKey,
                WarmStartSteps = warmSteps,
            };
        }
    }

    /// <summary>
    /// Where a member's recovery starts: in a ladder, from the weights of its highest-rung search evaluation (named by
    /// that evaluation's key, <c>fidelity_rung</c> in its metrics), so the recovery's steps come on top of the ones the
    /// search already spent; from the baseline without a ladder, at a rung of 0 steps, or for the unpruned row.
    /// </summary>
    public static (string? Key, int Steps) WarmStart(ExperimentSpec spec, PreparedExperiment prepared, string maskHash, IReadOnlyDictionary<string, double> searchMetrics, string? keyDeviceClass)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(searchMetrics);
        if (!spec.IsMultiFidelity || !searchMetrics.TryGetValue(MetricNames.FidelityRung, out var rung) || spec.RungAt((int)rung) is not { FineTuneSteps: > 0 } at)
        {
            return (null, 0);
        }

        return (IndividualKey.Compute(prepared.CheckpointHash, prepared.SettingsHash, maskHash, keyDeviceClass, at).Value, at.FineTuneSteps);
    }

    /// <summary>The in-flight entry of a job, waiting for a slot.</summary>
    public static InFlightEvaluation Entry(FinalRecoveryJob job, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new InFlightEvaluation
        {
            CandidateId = job.CandidateId,
            Key = job.Key,
            MaskText = job.MaskText,
            MaskHash = job.MaskHash,
            Generation = -1,
            FinalRecovery = true,
            ExportName = job.ExportName,
            WarmStartKey = job.WarmStartKey,
            WarmStartSteps = job.WarmStartSteps,
            LastContact = now,
        };
    }

    /// <summary>
    /// The jobs that go out as evaluations: one per key. A Pareto member that is the unpruned model itself shares the
    /// unpruned job's key; the member's job goes out (it names the folder the recovered model is saved in) and both are
    /// booked with its outcome (<see cref="Book"/>).
    /// </summary>
    public static IEnumerable<FinalRecoveryJob> Dispatched(IReadOnlyList<FinalRecoveryJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return jobs.GroupBy(j => j.Key, StringComparer.Ordinal).Select(g => g.FirstOrDefault(j => j.ExportName is not null) ?? g.First());
    }

    /// <summary>Books an outcome into its job and every job with the same key; false when no job has that candidate id.</summary>
    public static bool Book(IReadOnlyList<FinalRecoveryJob>? jobs, long candidateId, EvaluationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (jobs?.FirstOrDefault(j => j.CandidateId == candidateId) is not { } booked)
        {
            return false;
        }

        foreach (var job in jobs.Where(j => string.Equals(j.Key, booked.Key, StringComparison.Ordinal)))
        {
            job.Outcome = outcome;
        }

        return true;
    }

    public static bool IsDone(IReadOnlyList<FinalRecoveryJob>? jobs) => jobs is not null && jobs.All(j => j.Outcome is not null);

    /// <summary>
    /// The final table once every job is booked (null before): members whose recovered metrics are dominated leave the
    /// final front; a member's export folder is named only when its silo saved the model.
    /// </summary>
    public static FinalRecoveryResult? Result(ExperimentSpec spec, IReadOnlyList<FinalRecoveryJob>? jobs, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (jobs is not { Count: > 0 } || !IsDone(jobs))
        {
            return null;
        }

        var recovered = jobs.Select(Member).ToList();
        var members = recovered.Skip(1).ToList();
        var onFront = FinalRecoverySelection.NonDominated(spec.Objectives, [.. members.Select(m => m.Succeeded ? m.Metrics : new Dictionary<string, double>())]);
        return new FinalRecoveryResult
        {
            Unpruned = recovered[0] with { OnFinalFront = true },
            Members = [.. members.Select((m, i) => m with { OnFinalFront = onFront[i] })],
            FineTuneSteps = spec.FinalRecovery?.FineTuneSteps ?? 0,
            Seconds = elapsed.TotalSeconds,
        };
    }

    private static RecoveredMember Member(FinalRecoveryJob job)
    {
        var outcome = job.Outcome!;
        return new RecoveredMember
        {
            Label = job.Label,
            MaskText = job.MaskText,
            MaskHash = job.MaskHash,
            SearchMetrics = job.SearchMetrics,
            Metrics = outcome.Metrics,
            Succeeded = outcome.Succeeded,
            FailureReason = outcome.FailureReason,
            ExportDirectory = outcome.Succeeded ? outcome.ExportName : null,
            Seconds = Math.Max(0, (outcome.CompletedAt - outcome.StartedAt).TotalSeconds),
        };
    }
}
