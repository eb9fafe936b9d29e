using PrunerCluster.Contracts;
using PrunerCluster.Grains.Evaluation;

namespace PrunerCluster.Grains.Lifecycle;

/// <summary>
/// One attempt of one evaluation on a slot thread: the backend runs under a token that fires at the deadline or on cancel,
/// and whatever comes back (or is thrown) leaves as a classified outcome stamped with silo, device and device class.
/// </summary>
public static class EvaluationAttempt
{
    public static EvaluationOutcome Run(
        IEvaluationBackend backend,
        EvaluationRequest request,
        SlotContext slot,
        string deviceClass,
        TimeProvider time,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(slot);
        using var deadline = new CancellationTokenSource(request.Deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, deadline.Token);
        EvaluationOutcome outcome;
        try
        {
            outcome = backend.Evaluate(request, slot, linked.Token);
        }
        catch (Exception ex)
        {
            outcome = FailureClassifier.FromException(ex, slot.Silo, slot.Device);
        }

        if (!outcome.Succeeded && deadline.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            outcome = EvaluationOutcome.TransientFailure(
                FormattableString.Invariant($"deadline of {request.Deadline} exceeded on silo {slot.Silo}: the attempt was cancelled"), slot.Silo, slot.Device);
        }
        else if (!outcome.Succeeded && cancellation.IsCancellationRequested)
        {
            outcome = EvaluationOutcome.TransientFailure("evaluation cancelled: no experiment needs it any more", slot.Silo, slot.Device);
        }

        outcome = FailureClassifier.Classified(outcome);
        return outcome with
        {
            Silo = string.IsNullOrEmpty(outcome.Silo) ? slot.Silo : outcome.Silo,
            Device = string.IsNullOrEmpty(outcome.Device) ? slot.Device : outcome.Device,
            DeviceClass = deviceClass,
        };
    }
}
