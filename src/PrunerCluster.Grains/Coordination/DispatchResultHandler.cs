using Orleans.Runtime;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// Applies the answers of a dispatch (or poll) round: a refusal is re-issued without counting an attempt, and so is a
/// dispatch that never reached its silo (a silo dead but not yet voted out of membership: retrying it there would spend
/// the candidate's retry cap on a corpse); so are the first <see cref="UncountedDispatchTimeouts"/> dispatches of a
/// candidate that got no answer in time (while a killed silo's directory range or activations are recovered, calls stall;
/// re-sending is safe because the individual grain joins work it already started); any other error is a transient failure
/// of the silo it went to, a stored outcome is booked as a cache hit, and null means the individual started or joined the
/// work (heard of now).
/// </summary>
public sealed class DispatchResultHandler(EvaluationBookkeeper books, CoordinatorState state, ICoordinatorEvents events, TimeProvider time)
{
    public const int UncountedDispatchTimeouts = 2;

    public void Apply(IEnumerable<DispatchResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        foreach (var (entry, outcome, error) in results)
        {
            if (!books.InFlight.Contains(entry.CandidateId))
            {
                continue;
            }

            if (error is SlotUnavailableException refused)
            {
                events.DispatchFailed(refused, entry.CandidateId, entry.Key);
                books.Refused(entry, refused.RefusingSilo, refused.Moving);
                continue;
            }

            if (error is OrleansMessageRejectionException or SiloUnavailableException)
            {
                events.DispatchFailed(error, entry.CandidateId, entry.Key);
                books.Unreachable(entry, entry.Silo);
                continue;
            }

            if (error is TimeoutException && entry.DispatchTimeouts < UncountedDispatchTimeouts)
            {
                entry.DispatchTimeouts++;
                events.DispatchFailed(error, entry.CandidateId, entry.Key);
                books.Unreachable(entry, entry.Silo);
                continue;
            }

            if (error is not null)
            {
                events.DispatchFailed(error, entry.CandidateId, entry.Key);
                books.TransientFailure(entry, entry.Silo, "dispatch failed: " + error.Message);
                continue;
            }

            entry.LastContact = time.GetUtcNow();
            if (outcome is not null)
            {
                state.CacheHits++;
                events.CacheHit();
                books.Record(entry.CandidateId, outcome, fromCache: true);
            }
        }
    }
}
