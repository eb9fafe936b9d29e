namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// Evaluations handed out and not yet booked, by candidate id and by individual key. The dictionary is the coordinator's
/// persisted state (<see cref="CoordinatorState.InFlight"/>): this class owns every change to it.
/// </summary>
public sealed class InFlightTable
{
    private readonly Dictionary<long, InFlightEvaluation> _entries;
    private readonly Dictionary<string, long> _byKey = new(StringComparer.Ordinal);

    public InFlightTable(Dictionary<long, InFlightEvaluation> entries)
    {
        _entries = entries ?? throw new ArgumentNullException(nameof(entries));
        foreach (var entry in _entries.Values)
        {
            _byKey[entry.Key] = entry.CandidateId;
        }
    }

    public int Count => _entries.Count;

    public IEnumerable<InFlightEvaluation> Entries => _entries.Values.OrderBy(e => e.CandidateId);

    /// <summary>Entries waiting for a (new) slot, oldest candidate first.</summary>
    public IReadOnlyList<InFlightEvaluation> Waiting() => [.. Entries.Where(e => e.Silo is null)];

    public bool Contains(long candidateId) => _entries.ContainsKey(candidateId);

    public bool TryGet(long candidateId, out InFlightEvaluation entry) => _entries.TryGetValue(candidateId, out entry!);

    public bool TryGetByKey(string individualKey, out long candidateId) => _byKey.TryGetValue(individualKey, out candidateId);

    public void Add(InFlightEvaluation entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _entries[entry.CandidateId] = entry;
        _byKey[entry.Key] = entry.CandidateId;
    }

    public bool Remove(long candidateId, out InFlightEvaluation entry)
    {
        if (!_entries.Remove(candidateId, out entry!))
        {
            return false;
        }

        _byKey.Remove(entry.Key);
        return true;
    }

    /// <summary>Its slot is gone: the entry waits for a new grant.</summary>
    public static void Release(InFlightEvaluation entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry.Silo = null;
        entry.LastContact = now;
    }

    /// <summary>After a re-activation every entry is asked again on the first tick, whatever happened meanwhile.</summary>
    public void ForgetContact()
    {
        foreach (var entry in _entries.Values)
        {
            entry.LastContact = DateTimeOffset.MinValue;
        }
    }

    /// <summary>Slots held per silo (what the scheduler should count against this experiment).</summary>
    public Dictionary<string, int> HeldPerSilo()
    {
        var held = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in _entries.Values)
        {
            if (entry.Silo is not null)
            {
                held[entry.Silo] = held.GetValueOrDefault(entry.Silo) + 1;
            }
        }

        return held;
    }
}
