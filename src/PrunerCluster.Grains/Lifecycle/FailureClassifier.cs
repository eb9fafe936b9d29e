using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Lifecycle;

/// <summary>
/// Sorts failed evaluations into transient (this attempt failed: out-of-memory, deadline, cancellation, crash, silo death)
/// and deterministic (the mask itself fails: invalid mask, NaN loss). Backends may set <see cref="EvaluationOutcome.Kind"/>
/// themselves; an unclassified failure is judged by its reason, since backends report out-of-memory as a failed outcome.
/// </summary>
public static class FailureClassifier
{
    private static readonly string[] TransientPhrases =
    [
        "out of memory", "outofmemory", "cancelled", "canceled", "deadline", "timed out", "timeout",

        // Native crashes and files missing or unreadable on one silo depend on the silo, not on the mask.
        "ExternalException", "SEHException", "IOException", "FileNotFoundException", "DirectoryNotFoundException", "InvalidDataException", "dataset:",
    ];

    public static FailureKind Classify(EvaluationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Succeeded)
        {
            return FailureKind.None;
        }

        if (outcome.Kind != FailureKind.None)
        {
            return outcome.Kind;
        }

        var reason = outcome.FailureReason ?? "";
        return TransientPhrases.Any(p => reason.Contains(p, StringComparison.OrdinalIgnoreCase)) ? FailureKind.Transient : FailureKind.Deterministic;
    }

    /// <summary>The outcome with its <see cref="EvaluationOutcome.Kind"/> filled in.</summary>
    public static EvaluationOutcome Classified(EvaluationOutcome outcome) =>
        Classify(outcome) is var kind && kind == outcome.Kind ? outcome : outcome with { Kind = kind };

    /// <summary>
    /// An evaluation that threw: never the mask's verdict, because a crash, an out-of-memory or a cancellation depends on
    /// the attempt. It is retried elsewhere, and recorded as failed once the retry cap is reached.
    /// </summary>
    public static EvaluationOutcome FromException(Exception exception, string silo, string device = "")
    {
        ArgumentNullException.ThrowIfNull(exception);
        var what = exception switch
        {
            OutOfMemoryException => "out of memory",
            OperationCanceledException => "cancelled",
            TimeoutException => "timed out",
            _ => "crashed",
        };
        return EvaluationOutcome.TransientFailure($"evaluation {what} ({exception.GetType().Name}: {exception.Message})", silo, device);
    }
}
