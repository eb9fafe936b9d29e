namespace PrunerCluster.Engine.Localhost;

/// <summary>
/// The records behind <see cref="LocalhostStoreGrain"/>: in memory, and, once <see cref="Attach"/> names a journal, also
/// on disk, every write appended and flushed before it is acknowledged. An embedded search attaches its run directory's
/// journal, so a rerun or a resume after a kill -9 finds coordinator and individual state exactly as it was stored.
/// Records seeded from another run's journal count as reused the first time a grain reads them.
/// </summary>
public sealed class LocalhostRecordStore : IDisposable
{
    private const long CompactAboveBytes = 64L << 20;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, StoredRecord> _records = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seeded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reused = new(StringComparer.Ordinal);
    private StateJournal? _journal;

    /// <summary>Seeded records a grain has read: finished evaluations served from an earlier run.</summary>
    public int Reused
    {
        get
        {
            lock (_lock)
            {
                return _reused.Count;
            }
        }
    }

    public string? JournalPath => _journal?.Path;

    public StoredRecord? Read(string key)
    {
        lock (_lock)
        {
            if (!_records.TryGetValue(key, out var record))
            {
                return null;
            }

            if (_seeded.Contains(key))
            {
                _reused.Add(key);
            }

            return record;
        }
    }

    /// <summary>Writes when <paramref name="expectedVersion"/> matches (0: no record yet); the new version, or -1 on a conflict.</summary>
    public long Write(string key, byte[] data, long expectedVersion)
    {
        lock (_lock)
        {
            var current = _records.GetValueOrDefault(key)?.Version ?? 0;
            if (current != expectedVersion)
            {
                return -1;
            }

            var record = new StoredRecord(data, current + 1);
            _journal?.Append(key, record);
            _records[key] = record;
            CompactIfLarge();
            return record.Version;
        }
    }

    public void Clear(string key)
    {
        lock (_lock)
        {
            if (_records.Remove(key))
            {
                _journal?.Append(key, null);
            }
        }
    }

    /// <summary>Adds records of an earlier run (e.g. its finished evaluations) that are not held yet; returns how many were added.</summary>
    public int Seed(IEnumerable<KeyValuePair<string, StoredRecord>> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (_lock)
        {
            var added = 0;
            foreach (var (key, record) in records)
            {
                if (_records.TryAdd(key, record))
                {
                    _seeded.Add(key);
                    added++;
                }
            }

            return added;
        }
    }

    /// <summary>
    /// Journals from now on to <paramref name="path"/>. <paramref name="resume"/>: the journal's records are loaded and
    /// later writes appended after its valid part; otherwise a new journal is written holding everything in memory now.
    /// </summary>
    public JournalContents Attach(string path, bool resume)
    {
        lock (_lock)
        {
            _journal?.Dispose();
            if (!resume)
            {
                _journal = StateJournal.Create(path, _records.ToList());
                return new JournalContents([], _journal.Length, 0);
            }

            _journal = StateJournal.Open(path, out var contents);
            foreach (var (key, record) in contents.Latest())
            {
                _records[key] = record;
            }

            return contents;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _journal?.Dispose();
            _journal = null;
        }
    }

    private void CompactIfLarge()
    {
        if (_journal is not { } journal || journal.Length < CompactAboveBytes || journal.Length < 4 * _records.Values.Sum(r => (long)r.Data.Length))
        {
            return;
        }

        journal.Dispose();
        _journal = StateJournal.Create(journal.Path, _records.ToList());
    }
}
