namespace PrunerCluster.Grains.Coordination;

/// <summary>Reads an experiment's ledger back on activation.</summary>
public static class LedgerRecovery
{
    /// <summary>
    /// Loads chunks in order until an empty or partial one. Chunks past the stored state's count may exist (written just
    /// before a crash, before the state that counts them), so it reads until empty rather than to that count.
    /// </summary>
    public static async Task LoadAsync(ILedgerChunkStore chunks, EvaluationLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(ledger);
        for (var c = 0; ; c++)
        {
            var records = await chunks.ReadChunkAsync(c);
            if (records.Count == 0)
            {
                return;
            }

            ledger.LoadChunk(c, records);
            if (records.Count < ledger.ChunkSize)
            {
                return;
            }
        }
    }
}
