using Orleans.Storage;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// Stores a coordinator write-ahead: the ledger's unpersisted chunks first, then the main state (engine, in-flight map,
/// ledger count). Nothing may be dispatched while <see cref="Healthy"/> is false: the caller retries <see cref="PersistAsync"/>
/// until storage is back. A write whose outcome is unknown (connection lost after commit) leaves a stale ETag; the retry
/// refreshes it and writes this activation's state again.
/// </summary>
public sealed class WriteAheadStore(IPersistentState<CoordinatorState> state, ILedgerChunkStore chunks, EvaluationLedger ledger, TimeProvider time)
{
    public bool Healthy { get; private set; } = true;

    public DateTimeOffset? DownSince { get; private set; }

    public Exception? LastError { get; private set; }

    public int Writes { get; private set; }

    /// <summary>As <see cref="PersistAsync(Func{string?})"/>, reporting the moments storage goes down (<paramref name="failed"/>) and comes back (<paramref name="recovered"/>).</summary>
    public async Task<bool> PersistAsync(Func<string?>? algorithmJson, Action recovered, Action<Exception> failed)
    {
        ArgumentNullException.ThrowIfNull(recovered);
        ArgumentNullException.ThrowIfNull(failed);
        var wasHealthy = Healthy;
        var stored = await PersistAsync(algorithmJson);
        if (stored && !wasHealthy)
        {
            recovered();
        }
        else if (!stored && wasHealthy)
        {
            failed(LastError!);
        }

        return stored;
    }

    /// <summary>Writes ledger chunks, then the main state; false (and <see cref="Healthy"/> false) when storage failed.</summary>
    public async Task<bool> PersistAsync(Func<string?>? algorithmJson = null)
    {
        try
        {
            foreach (var chunk in ledger.Unpersisted())
            {
                await chunks.WriteChunkAsync(chunk.Index, chunk.Records);
                ledger.MarkPersisted(chunk.PersistsUpTo);
            }

            var s = state.State;
            s.LedgerCount = ledger.PersistedCount;
            s.LedgerChunkSize = ledger.ChunkSize;
            if (algorithmJson?.Invoke() is { } json)
            {
                s.AlgorithmJson = json;
            }

            try
            {
                await state.WriteStateAsync();
            }
            catch (InconsistentStateException)
            {
                // Our previous write committed but its answer was lost: take the stored ETag and write our state over it.
                var mine = state.State;
                await state.ReadStateAsync();
                state.State = mine;
                await state.WriteStateAsync();
            }

            Writes++;
            Healthy = true;
            DownSince = null;
            LastError = null;
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (Healthy)
            {
                DownSince = time.GetUtcNow();
            }

            Healthy = false;
            LastError = ex;
            return false;
        }
    }
}
