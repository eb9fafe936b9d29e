namespace PrunerCluster.Engine.Localhost;

/// <summary>One journal line: the key and its record, or null where the key was cleared.</summary>
public sealed record JournalEntry(string Key, StoredRecord? Record);
