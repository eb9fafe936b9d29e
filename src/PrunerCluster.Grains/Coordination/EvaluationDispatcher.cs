using PrunerCluster.Contracts;
using PrunerCluster.Grains.Lifecycle;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// Starts (or polls) in-flight evaluations: builds each request, counts the attempt, and calls <c>start</c> (the individual
/// grain, on the entry's granted silo) within <see cref="CallTimeout"/>. Every answer, error included, becomes a
/// <see cref="DispatchResult"/>; nothing here decides what a refusal or failure means.
/// </summary>
public sealed class EvaluationDispatcher(
    Func<InFlightEvaluation, EvaluationRequest, Task<EvaluationOutcome?>> start,
    ICoordinatorEvents events,
    TimeProvider time)
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    public Task<DispatchResult[]> DispatchAsync(IEnumerable<InFlightEvaluation> entries, string experimentId, CoordinatorState state, string? keyDeviceClass, TimeSpan defaultDeadline)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(state);
        return Task.WhenAll(entries.Select(entry => DispatchOneAsync(entry, new EvaluationRequest
        {
            ExperimentId = experimentId,
            CandidateId = entry.CandidateId,
            Spec = state.Spec!,
            Prepared = state.Prepared!,
            MaskText = entry.MaskText,
            MaskHash = entry.MaskHash,
            DeviceClass = keyDeviceClass,
            Deadline = entry.FinalRecovery ? DeadlinePolicy.ResolveFinalRecovery(state.Spec!, defaultDeadline) : DeadlinePolicy.Resolve(state.Spec!, defaultDeadline),
            Rung = entry.Rung,
            WarmStartKey = entry.FinalRecovery ? entry.WarmStartKey : WarmStartKey(entry, state, keyDeviceClass),
            WarmStartSteps = entry.FinalRecovery ? entry.WarmStartSteps : RungBelow(entry, state)?.FineTuneSteps ?? 0,
            FinalRecovery = entry.FinalRecovery ? state.Spec!.FinalRecovery : null,
            ExportName = entry.ExportName,
        })));
    }

    /// <summary>The key of the same mask one rung below (whose weights a promotion continues from); null at rung 0 or without a ladder.</summary>
    public static string? WarmStartKey(InFlightEvaluation entry, CoordinatorState state, string? keyDeviceClass)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(state);
        return RungBelow(entry, state) is { } below && state.Prepared is { } prepared
            ? IndividualKey.Compute(prepared.CheckpointHash, prepared.SettingsHash, entry.MaskHash, keyDeviceClass, below).Value
            : null;
    }

    private static FidelityRung? RungBelow(InFlightEvaluation entry, CoordinatorState state) =>
        entry.Rung > 0 ? state.Spec?.RungAt(entry.Rung - 1) : null;

    private async Task<DispatchResult> DispatchOneAsync(InFlightEvaluation entry, EvaluationRequest request)
    {
        entry.Attempts++;
        events.Dispatching(entry.CandidateId, entry.Key, entry.Attempts);
        try
        {
            return new DispatchResult(entry, await start(entry, request).WaitAsync(CallTimeout, time), null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new DispatchResult(entry, null, ex);
        }
    }
}
