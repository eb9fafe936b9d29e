using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Lifecycle;

namespace PrunerCluster.Grains.Coordination;

/// <summary>What one dispatch pass sends out, and whether the engine ran short of candidates (generational barrier or budget).</summary>
public sealed record DispatchPlan(IReadOnlyList<InFlightEvaluation> Dispatch, bool ShortOfCandidates);

/// <summary>
/// Chooses what to send where in one dispatch pass: what to ask the slot scheduler for, then which waiting entry takes
/// which granted slot (never one on a silo that refused it and has not freed a slot since) and which new candidates of
/// the engine fill the slots left over.
/// </summary>
public sealed class DispatchPlanner(InFlightTable inFlight, RefusalMemory refusals, TimeProvider time)
{
    /// <summary>Concurrency when the spec sets no cap.</summary>
    public const int UncappedConcurrency = 4096;

    /// <summary>The scheduler request: the waiting entries plus new work up to the cap (none while paused or at a barrier).</summary>
    public SlotRequest Request(string experimentId, ExperimentSpec spec, string? pinnedClass, IReadOnlyList<InFlightEvaluation> waiting, bool running, bool askNew)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(waiting);
        var cap = spec.MaxConcurrency > 0 ? spec.MaxConcurrency : UncappedConcurrency;
        var want = running ? waiting.Count + (askNew ? Math.Max(0, cap - inFlight.Count) : 0) : 0;
        var avoid = RetryPolicy.AvoidList(waiting)
            .Concat(refusals.Blocking(waiting.Select(e => e.CandidateId), time.GetUtcNow()))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        return new SlotRequest
        {
            ExperimentId = experimentId,
            Weight = spec.ShareWeight,
            Cap = spec.MaxConcurrency,
            Want = want,
            Held = inFlight.HeldPerSilo(),
            DeviceClass = spec.DeviceClass ?? pinnedClass,
            Avoid = [.. avoid],
            SingleClass = spec.DeviceClass is not null || DeviceClassName.DependsOnDevice(spec),
        };
    }

    /// <summary>
    /// Matches <paramref name="grants"/> to the waiting entries (oldest first), then asks <paramref name="ask"/> for new
    /// candidates for the slots left over and tracks each with <paramref name="track"/>. Grants on a silo that refused work for
    /// lack of capacity and has not freed a slot since stay unused, as do slots nobody else may take.
    /// </summary>
    public DispatchPlan Plan(
        IReadOnlyList<InFlightEvaluation> waiting,
        IReadOnlyList<string> grants,
        bool askNew,
        Func<int, IReadOnlyList<Candidate>> ask,
        Func<Candidate, string, InFlightEvaluation> track)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        ArgumentNullException.ThrowIfNull(grants);
        ArgumentNullException.ThrowIfNull(ask);
        ArgumentNullException.ThrowIfNull(track);
        var now = time.GetUtcNow();
        var dispatch = new List<InFlightEvaluation>();
        var usable = grants.Where(silo => !refusals.IsFull(silo, now)).ToList();
        var (assigned, slots) = RetryPolicy.Assign(waiting, usable, (entry, silo) => refusals.Blocks(entry.CandidateId, silo, now));
        foreach (var (entry, silo) in assigned)
        {
            entry.Silo = silo;
            entry.LastContact = now;
            dispatch.Add(entry);
        }

        var shortOfCandidates = false;
        if (askNew && slots.Count > 0)
        {
            var candidates = ask(slots.Count);
            shortOfCandidates = candidates.Count < slots.Count;
            foreach (var candidate in candidates)
            {
                var entry = track(candidate, slots.Dequeue());
                inFlight.Add(entry);
                dispatch.Add(entry);
            }
        }

        return new DispatchPlan(dispatch, shortOfCandidates);
    }

    /// <summary>The device class in the individual key: the spec's, else (when a measured objective needs one) the class pinned from the first grant.</summary>
    public static string? KeyDeviceClass(CoordinatorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Spec?.DeviceClass ?? (state.Spec is { } spec && DeviceClassName.DependsOnDevice(spec) ? state.DeviceClass : null);
    }

    /// <summary>A new in-flight entry for <paramref name="candidate"/> on the granted <paramref name="silo"/>.</summary>
    public static InFlightEvaluation NewEntry(Candidate candidate, string silo, PreparedExperiment prepared, string? keyDeviceClass, DateTimeOffset now) =>
        NewEntry(candidate, silo, prepared, keyDeviceClass, null, now);

    /// <summary>As above, for a candidate at a rung of the spec's fidelity ladder (<paramref name="spec"/> null: single fidelity).</summary>
    public static InFlightEvaluation NewEntry(Candidate candidate, string silo, PreparedExperiment prepared, string? keyDeviceClass, ExperimentSpec? spec, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(prepared);
        var maskHash = candidate.Genome.ContentHash;
        var rung = spec?.RungAt(candidate.Rung);
        return new InFlightEvaluation
        {
            CandidateId = candidate.Id,
            MaskText = candidate.Genome.ToCanonicalString(),
            MaskHash = maskHash,
            Key = IndividualKey.Compute(prepared.CheckpointHash, prepared.SettingsHash, maskHash, keyDeviceClass, rung).Value,
            Generation = candidate.Generation,
            Rung = rung is null ? 0 : candidate.Rung,
            Silo = silo,
            LastContact = now,
        };
    }
}
