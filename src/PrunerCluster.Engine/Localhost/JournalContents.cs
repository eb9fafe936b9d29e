namespace PrunerCluster.Engine.Localhost;

/// <summary>A journal as read: its valid records in order, the length of its valid part and the torn bytes after it.</summary>
public sealed record JournalContents(IReadOnlyList<JournalEntry> Entries, long ValidLength, long IgnoredBytes)
{
    /// <summary>The state the records leave: the last record of each key, cleared keys left out.</summary>
    public IReadOnlyDictionary<string, StoredRecord> Latest()
    {
        var latest = new Dictionary<string, StoredRecord>(StringComparer.Ordinal);
        foreach (var entry in Entries)
        {
            if (entry.Record is null)
            {
                latest.Remove(entry.Key);
            }
            else
            {
                latest[entry.Key] = entry.Record;
            }
        }

        return latest;
    }
}
