using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Slots;

/// <summary>
/// The weighted fair-share rule of <see cref="SlotSchedulerGrain"/>, with no Orleans in it: per experiment, the slots it holds
/// per silo, its weight, cap and want. A free slot goes to the requesting experiment only when no other waiting experiment
/// (it wants slots, is under its cap and was seen within the validity) holds fewer slots per unit of weight, so held slots
/// converge to the weights. Deterministic for a given order of requests and clock.
/// </summary>
internal sealed class SlotLedger
{
    private readonly Dictionary<string, SlotBooks> _experiments = new(StringComparer.Ordinal);

    public IEnumerable<SlotBooks> Experiments => _experiments.Values;

    public IReadOnlyDictionary<string, int> HeldByExperiment() => _experiments.Values.ToDictionary(e => e.ExperimentId, e => e.HeldTotal, StringComparer.Ordinal);

    /// <summary>Replaces the books of the request's experiment with what it reports (silos outside <paramref name="capacity"/> dropped).</summary>
    public SlotBooks Record(SlotRequest request, IReadOnlyDictionary<string, int> capacity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(capacity);
        if (!_experiments.TryGetValue(request.ExperimentId, out var books))
        {
            books = new SlotBooks(request.ExperimentId);
            _experiments[request.ExperimentId] = books;
        }

        books.Weight = request.Weight > 0 ? request.Weight : 1;
        books.Cap = request.Cap;
        books.Want = Math.Max(0, request.Want);
        books.LastSeen = now;
        books.Held.Clear();
        foreach (var (silo, count) in request.Held)
        {
            if (count > 0 && capacity.ContainsKey(silo))
            {
                books.Held[silo] = count;
            }
        }

        return books;
    }

    /// <summary>
    /// Grants <paramref name="books"/> free slots while it wants them, is under its cap and is next by the fair-share rule;
    /// each from the silo with the largest free share (avoided silos last, then the least used, then by name), of
    /// <paramref name="request"/>'s device class, or of one class when it asks for one. <paramref name="used"/> is updated.
    /// </summary>
    public (List<string> Silos, string? DeviceClass) Grant(
        SlotBooks books,
        SlotRequest request,
        IReadOnlyDictionary<string, int> capacity,
        IReadOnlyDictionary<string, string> classes,
        Dictionary<string, int> used,
        DateTimeOffset now,
        TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(books);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(capacity);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(used);
        var grants = new List<string>();
        var grantClass = request.DeviceClass;
        var avoid = new HashSet<string>(request.Avoid, StringComparer.Ordinal);
        while (books.Want > 0 && books.UnderCap && IsNext(books, now, validity))
        {
            var silo = capacity
                .Where(c => c.Value - used.GetValueOrDefault(c.Key) > 0)
                .Where(c => grantClass is null || string.Equals(classes[c.Key], grantClass, StringComparison.Ordinal))
                .OrderBy(c => avoid.Contains(c.Key))
                .ThenByDescending(c => (double)(c.Value - used.GetValueOrDefault(c.Key)) / c.Value)
                .ThenBy(c => used.GetValueOrDefault(c.Key))
                .ThenBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => c.Key)
                .FirstOrDefault();
            if (silo is null)
            {
                break;
            }

            if (request.SingleClass)
            {
                grantClass ??= classes[silo];
            }

            used[silo] = used.GetValueOrDefault(silo) + 1;
            books.Held[silo] = books.Held.GetValueOrDefault(silo) + 1;
            books.Want--;
            grants.Add(silo);
        }

        return (grants, grantClass);
    }

    /// <summary>True when no other waiting experiment holds fewer slots per weight than <paramref name="books"/>.</summary>
    public bool IsNext(SlotBooks books, DateTimeOffset now, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(books);
        var mine = books.HeldTotal / books.Weight;
        return !_experiments.Values.Any(other => !ReferenceEquals(other, books) && other.IsWaiting(now, validity) && other.HeldTotal / other.Weight < mine - 1e-9);
    }

    /// <summary>Slots held per silo of <paramref name="capacity"/>, over every experiment's books.</summary>
    public Dictionary<string, int> Used(IReadOnlyDictionary<string, int> capacity)
    {
        ArgumentNullException.ThrowIfNull(capacity);
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (silo, count) in _experiments.Values.SelectMany(b => b.Held).Where(h => capacity.ContainsKey(h.Key)))
        {
            used[silo] = used.GetValueOrDefault(silo) + count;
        }

        return used;
    }

    /// <summary>The waiting experiments other than <paramref name="except"/> not nudged within <paramref name="interval"/>, marked nudged now.</summary>
    public List<SlotBooks> DueForNudge(string except, DateTimeOffset now, TimeSpan validity, TimeSpan interval)
    {
        var due = _experiments.Values.Where(o => o.ExperimentId != except && o.IsWaiting(now, validity) && now - o.LastNudged >= interval).ToList();
        foreach (var books in due)
        {
            books.LastNudged = now;
        }

        return due;
    }

    public bool Remove(string experimentId) => _experiments.Remove(experimentId);

    /// <summary>Forgets experiments not seen for longer than <paramref name="after"/>.</summary>
    public void Forget(DateTimeOffset now, TimeSpan after)
    {
        foreach (var stale in _experiments.Values.Where(e => now - e.LastSeen > after).ToArray())
        {
            _experiments.Remove(stale.ExperimentId);
        }
    }

    /// <summary>Drops every hold on <paramref name="silo"/> (it drains).</summary>
    public void Release(string silo)
    {
        foreach (var books in _experiments.Values)
        {
            books.Held.Remove(silo);
        }
    }

    /// <summary>Weighted max-min fair shares (water-filling) of <paramref name="total"/> slots, for status reporting.</summary>
    public Dictionary<string, double> FairShares(int total)
    {
        var demand = _experiments.Values.ToDictionary(
            e => e.ExperimentId,
            e => e.Cap > 0 ? Math.Min(e.Cap, e.HeldTotal + e.Want) : e.HeldTotal + e.Want,
            StringComparer.Ordinal);
        var shares = _experiments.Keys.ToDictionary(k => k, _ => 0.0, StringComparer.Ordinal);
        var open = _experiments.Values.Where(e => demand[e.ExperimentId] > 0).ToList();
        double remaining = total;
        while (open.Count > 0 && remaining > 1e-9)
        {
            var weight = open.Sum(e => e.Weight);
            var saturated = open.Where(e => demand[e.ExperimentId] - shares[e.ExperimentId] <= remaining * e.Weight / weight).ToList();
            if (saturated.Count == 0)
            {
                foreach (var e in open)
                {
                    shares[e.ExperimentId] += remaining * e.Weight / weight;
                }

                break;
            }

            foreach (var e in saturated)
            {
                remaining -= demand[e.ExperimentId] - shares[e.ExperimentId];
                shares[e.ExperimentId] = demand[e.ExperimentId];
                open.Remove(e);
            }
        }

        return shares;
    }
}
