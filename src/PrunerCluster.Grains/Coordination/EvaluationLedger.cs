using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// The experiment's evaluation ledger: one record per candidate, in completion order, append-only. It is stored in fixed-size
/// chunks: a chunk is written while it fills and never again once full, so a batch of results costs one chunk write, not a
/// rewrite of the ledger. <see cref="Unpersisted"/> names the chunks a write must cover; <see cref="MarkPersisted"/> records
/// that it did.
/// </summary>
public sealed class EvaluationLedger
{
    private readonly List<EvaluationRecord> _records = [];
    private readonly Dictionary<long, int> _indexById = [];
    private EvaluationRecord[]? _snapshot;

    public EvaluationLedger(int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ChunkSize = chunkSize;
    }

    public int ChunkSize { get; }

    public int Count => _records.Count;

    public int Failed { get; private set; }

    /// <summary>Records known to be stored; the ones after it are written by the next persist.</summary>
    public int PersistedCount { get; private set; }

    public bool HasUnpersisted => PersistedCount < _records.Count;

    /// <summary>Chunks holding persisted records, i.e. the chunks to read back on activation.</summary>
    public static int ChunksFor(int records, int chunkSize) => (records + chunkSize - 1) / chunkSize;

    public bool Contains(long candidateId) => _indexById.ContainsKey(candidateId);

    public EvaluationRecord? Find(long candidateId) => _indexById.TryGetValue(candidateId, out var i) ? _records[i] : null;

    /// <summary>An immutable copy, cached until the next append (reads never see a half-applied batch).</summary>
    public IReadOnlyList<EvaluationRecord> Snapshot() => _snapshot ??= [.. _records];

    /// <summary>Appends a record; false (and nothing changes) when the candidate is already booked.</summary>
    public bool Append(EvaluationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_indexById.TryAdd(record.CandidateId, _records.Count))
        {
            return false;
        }

        _records.Add(record);
        if (!record.Succeeded)
        {
            Failed++;
        }

        _snapshot = null;
        return true;
    }

    /// <summary>Loads one stored chunk (in order, on activation): its records count as persisted.</summary>
    public void LoadChunk(int index, IReadOnlyList<EvaluationRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (index * ChunkSize != _records.Count)
        {
            throw new InvalidOperationException(FormattableString.Invariant($"ledger chunk {index} loaded out of order: {_records.Count} records loaded, chunk starts at {index * ChunkSize}"));
        }

        if (records.Count > ChunkSize)
        {
            throw new InvalidOperationException(FormattableString.Invariant($"ledger chunk {index} holds {records.Count} records, more than the chunk size {ChunkSize}"));
        }

        foreach (var record in records)
        {
            Append(record);
        }

        PersistedCount = _records.Count;
    }

    /// <summary>The chunks that hold unpersisted records, each with all of its records so far (a chunk write replaces the chunk).</summary>
    public IReadOnlyList<LedgerChunk> Unpersisted()
    {
        if (!HasUnpersisted)
        {
            return [];
        }

        var chunks = new List<LedgerChunk>();
        for (var c = PersistedCount / ChunkSize; c * ChunkSize < _records.Count; c++)
        {
            var start = c * ChunkSize;
            var end = Math.Min(_records.Count, start + ChunkSize);
            chunks.Add(new LedgerChunk(c, _records.GetRange(start, end - start), end));
        }

        return chunks;
    }

    /// <summary>Records up to <paramref name="count"/> are stored.</summary>
    public void MarkPersisted(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _records.Count);
        PersistedCount = Math.Max(PersistedCount, count);
    }
}

/// <summary>One chunk to write: its index, its records, and the ledger count it makes durable.</summary>
public sealed record LedgerChunk(int Index, IReadOnlyList<EvaluationRecord> Records, int PersistsUpTo);
