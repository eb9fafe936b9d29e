namespace PrunerCluster.Grains.Slots;

/// <summary>
/// The choice of <see cref="SlotPlacementDirector"/> with no Orleans in it: the silo the slot scheduler granted when it is
/// among the candidates, else the candidate with the fewest placements per slot (then by name), so activations without a
/// grant spread in proportion to the silos' slots. Every choice counts as a placement. Thread-safe (a director is a singleton).
/// </summary>
internal sealed class SlotPlacementChoice<TSilo>(Func<TSilo, string> name)
    where TSilo : class
{
    private readonly Dictionary<TSilo, long> _placements = [];
    private readonly Lock _lock = new();

    /// <param name="candidates">Compatible silos that advertise slots (more than 0 each), at least one.</param>
    public TSilo Choose(IReadOnlyList<(TSilo Silo, int Slots)> candidates, TSilo? granted)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfZero(candidates.Count);
        lock (_lock)
        {
            var chosen = granted is not null && candidates.Any(c => c.Silo.Equals(granted))
                ? granted
                : candidates
                    .OrderBy(c => (double)_placements.GetValueOrDefault(c.Silo) / c.Slots)
                    .ThenBy(c => name(c.Silo), StringComparer.Ordinal)
                    .First().Silo;
            _placements[chosen] = _placements.GetValueOrDefault(chosen) + 1;
            return chosen;
        }
    }
}
