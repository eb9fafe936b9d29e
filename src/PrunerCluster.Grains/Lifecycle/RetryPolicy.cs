using System.Globalization;

namespace PrunerCluster.Grains.Lifecycle;

/// <summary>What happens to a candidate after a transient failure.</summary>
public enum RetryDecision
{
    /// <summary>Wait for a new slot, preferably on a silo that has not failed it.</summary>
    Retry,

    /// <summary>The retry cap is reached: record it as failed.</summary>
    GiveUp,
}

/// <summary>
/// The retry cap and the silo preferences of in-flight evaluations. Each transient failure (deadline, out-of-memory, crash,
/// silo death, failed dispatch) counts one attempt and marks the silo it happened on. New grants go to silos that have not
/// failed the candidate whenever there is one.
/// </summary>
public sealed class RetryPolicy
{
    public RetryPolicy(int maxAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        MaxAttempts = maxAttempts;
    }

    public int MaxAttempts { get; }

    public RetryDecision OnTransientFailure(InFlightEvaluation entry, string? silo, string reason)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry.TransientFailures++;
        entry.LastFailure = reason;
        Avoid(entry, silo);
        return entry.TransientFailures >= MaxAttempts ? RetryDecision.GiveUp : RetryDecision.Retry;
    }

    public string GiveUpReason(InFlightEvaluation entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"gave up after {entry.TransientFailures} of {MaxAttempts} attempts failed (silos: {string.Join(", ", entry.FailedSilos)}); last: {entry.LastFailure}");
    }

    /// <summary>Silos the waiting entries would rather not get (asked of the scheduler as a preference, not a filter).</summary>
    public static IReadOnlyList<string> AvoidList(IEnumerable<InFlightEvaluation> waiting) =>
        [.. waiting.SelectMany(e => e.FailedSilos).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Matches granted slots to waiting entries, oldest first: each takes a grant on a silo it has not failed when one is
    /// left, else any grant (waiting for an untried silo stalled the search when the others stayed busy). Returns the pairs
    /// and the grants left over (for new candidates).
    /// </summary>
    public static (List<(InFlightEvaluation Entry, string Silo)> Assigned, Queue<string> Left) Assign(IReadOnlyList<InFlightEvaluation> waiting, IEnumerable<string> grants) =>
        Assign(waiting, grants, static (_, _) => false);

    /// <summary>As <see cref="Assign(IReadOnlyList{InFlightEvaluation}, IEnumerable{string})"/>, but an entry never takes a grant on a silo <paramref name="blocked"/> names for it (it keeps waiting).</summary>
    public static (List<(InFlightEvaluation Entry, string Silo)> Assigned, Queue<string> Left) Assign(IReadOnlyList<InFlightEvaluation> waiting, IEnumerable<string> grants, Func<InFlightEvaluation, string, bool> blocked)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        ArgumentNullException.ThrowIfNull(grants);
        ArgumentNullException.ThrowIfNull(blocked);
        var pool = grants.ToList();
        var assigned = new List<(InFlightEvaluation, string)>();
        foreach (var entry in waiting)
        {
            if (pool.Count == 0)
            {
                break;
            }

            var index = pool.FindIndex(s => !blocked(entry, s) && !entry.FailedSilos.Contains(s, StringComparer.Ordinal));
            if (index < 0)
            {
                index = pool.FindIndex(s => !blocked(entry, s));
            }

            if (index < 0)
            {
                continue;
            }

            assigned.Add((entry, pool[index]));
            pool.RemoveAt(index);
        }

        return (assigned, new Queue<string>(pool));
    }

    private static void Avoid(InFlightEvaluation entry, string? silo)
    {
        if (!string.IsNullOrEmpty(silo) && !entry.FailedSilos.Contains(silo, StringComparer.Ordinal))
        {
            entry.FailedSilos.Add(silo);
        }
    }
}
