namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// One timer tick over the in-flight table: evaluations whose silo left the membership fail transiently (and are retried
/// elsewhere or given up on), those not heard of within the lease are returned for polling.
/// </summary>
public sealed class LeaseSweep(LeasePolicy lease, EvaluationBookkeeper books, Action<long, string> reissuing)
{
    public IReadOnlyList<InFlightEvaluation> Sweep(DateTimeOffset now, Func<string, bool> siloIsActive)
    {
        var polls = new List<InFlightEvaluation>();
        foreach (var entry in books.InFlight.Entries.ToList())
        {
            switch (lease.Decide(entry, now, siloIsActive))
            {
                case LeaseAction.Reissue:
                    reissuing(entry.CandidateId, "silo " + entry.Silo + " is gone");
                    books.TransientFailure(entry, entry.Silo, "silo " + entry.Silo + " left the cluster during the evaluation");
                    break;
                case LeaseAction.Poll:
                    polls.Add(entry);
                    break;
            }
        }

        return polls;
    }
}
