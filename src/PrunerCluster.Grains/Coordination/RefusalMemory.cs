namespace PrunerCluster.Grains.Coordination;

/// <summary>
/// Which silos refused which in-flight candidate for lack of capacity. A refused candidate is not sent to that silo again,
/// and no new candidate is started there, until the silo reports free capacity (an evaluation of this experiment completed
/// there) or the hold expires, the safety net for capacity freed by other experiments. Soft state: a re-activated
/// coordinator starts with none.
/// </summary>
public sealed class RefusalMemory(TimeSpan hold)
{
    private readonly Dictionary<long, Dictionary<string, DateTimeOffset>> _refused = [];
    private readonly Dictionary<string, DateTimeOffset> _full = new(StringComparer.Ordinal);

    public TimeSpan Hold { get; } = hold > TimeSpan.Zero ? hold : throw new ArgumentOutOfRangeException(nameof(hold), hold, "hold must be positive");

    public void Refused(long candidateId, string silo, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(silo);
        if (!_refused.TryGetValue(candidateId, out var silos))
        {
            silos = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            _refused[candidateId] = silos;
        }

        silos[silo] = now;
        _full[silo] = now;
    }

    /// <summary>The silo has a free slot again: every candidate may go there.</summary>
    public void SiloFreed(string? silo)
    {
        if (string.IsNullOrEmpty(silo))
        {
            return;
        }

        _full.Remove(silo);
        foreach (var (id, silos) in _refused.ToArray())
        {
            if (silos.Remove(silo) && silos.Count == 0)
            {
                _refused.Remove(id);
            }
        }
    }

    public void Forget(long candidateId) => _refused.Remove(candidateId);

    public bool Blocks(long candidateId, string silo, DateTimeOffset now) =>
        _refused.TryGetValue(candidateId, out var silos) && silos.TryGetValue(silo, out var at) && now - at < Hold;

    /// <summary>True while <paramref name="silo"/> counts as full: it refused work within the hold and has not freed a slot since.</summary>
    public bool IsFull(string silo, DateTimeOffset now) => _full.TryGetValue(silo, out var at) && now - at < Hold;

    /// <summary>Silos still refusing any of <paramref name="candidateIds"/> (asked of the scheduler as silos to avoid).</summary>
    public IEnumerable<string> Blocking(IEnumerable<long> candidateIds, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(candidateIds);
        return candidateIds
            .Where(_refused.ContainsKey)
            .SelectMany(id => _refused[id].Where(s => now - s.Value < Hold).Select(s => s.Key))
            .Distinct(StringComparer.Ordinal);
    }
}
