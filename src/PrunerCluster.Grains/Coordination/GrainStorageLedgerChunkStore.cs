using Orleans.Storage;
using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// Ledger chunks as separate states of the coordinator in the cluster's grain storage (memory locally, PostgreSQL rows in a
/// cluster): state name "ledger-000000", "ledger-000001", ... Keeps each chunk's ETag; after a write whose outcome is unknown
/// (connection lost after commit) it re-reads the ETag and writes again, which is safe because a chunk write replaces the chunk.
/// </summary>
public sealed class GrainStorageLedgerChunkStore(IGrainStorage storage, GrainId owner) : ILedgerChunkStore
{
    private readonly Dictionary<int, string?> _etags = [];

    public static string StateName(int index) => FormattableString.Invariant($"ledger-{index:D6}");

    public async Task<IReadOnlyList<EvaluationRecord>> ReadChunkAsync(int index)
    {
        var state = new GrainState<LedgerChunkState>(new LedgerChunkState());
        await storage.ReadStateAsync(StateName(index), owner, state);
        _etags[index] = state.ETag;
        return state.State?.Records ?? [];
    }

    public async Task WriteChunkAsync(int index, IReadOnlyList<EvaluationRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (!_etags.ContainsKey(index))
        {
            await ReadChunkAsync(index);
        }

        var state = new GrainState<LedgerChunkState>(new LedgerChunkState { Records = [.. records] }) { ETag = _etags[index] };
        try
        {
            await storage.WriteStateAsync(StateName(index), owner, state);
        }
        catch (InconsistentStateException)
        {
            await ReadChunkAsync(index);
            state.ETag = _etags[index];
            await storage.WriteStateAsync(StateName(index), owner, state);
        }
        catch
        {
            _etags.Remove(index);
            throw;
        }

        _etags[index] = state.ETag;
    }
}
