namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// The experiment ends: it unsubscribes from every evaluation still in flight (an individual no other experiment waits for
/// cancels its work, so the slot frees within the backend's cancellation latency) and drops them unbooked.
/// </summary>
public static class InFlightWithdrawal
{
    public static async Task WithdrawAsync(EvaluationBookkeeper books, Func<InFlightEvaluation, Task> unsubscribe, ICoordinatorEvents events)
    {
        ArgumentNullException.ThrowIfNull(books);
        ArgumentNullException.ThrowIfNull(unsubscribe);
        ArgumentNullException.ThrowIfNull(events);
        var entries = books.InFlight.Entries.ToList();
        if (entries.Count == 0)
        {
            return;
        }

        await Task.WhenAll(entries.Where(e => e.Silo is not null).Select(async entry =>
        {
            try
            {
                await unsubscribe(entry);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                events.DispatchFailed(ex, entry.CandidateId, entry.Key);
            }
        }));
        books.DropAll();
    }
}
