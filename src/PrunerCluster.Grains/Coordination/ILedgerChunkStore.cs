using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Coordination;

/// <summary>Where an experiment's ledger chunks are stored.</summary>
public interface ILedgerChunkStore
{
    Task<IReadOnlyList<EvaluationRecord>> ReadChunkAsync(int index);

    /// <summary>Writes (replaces) chunk <paramref name="index"/>; throws when storage is unavailable.</summary>
    Task WriteChunkAsync(int index, IReadOnlyList<EvaluationRecord> records);
}
