using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Slots;

/// <summary>
/// The decisions of <see cref="SlotSchedulerGrain"/> with no Orleans in it: each request replaces its experiment's books,
/// experiments not seen for <paramref name="forgetAfter"/> are forgotten, free slots are granted by the fair-share rule of
/// <see cref="SlotLedger"/>, and while slots stay free the waiting experiments not nudged within <see cref="NudgeInterval"/>
/// are named to be nudged. After a re-activation the silos' own busy counts stand in for the coordinators' reports until
/// a deadline. Deterministic for a given sequence of calls and times; the grain supplies the capacity and delivers nudges.
/// </summary>
internal sealed class SlotScheduling(TimeSpan wantValidity, TimeSpan forgetAfter)
{
    public static readonly TimeSpan NudgeInterval = TimeSpan.FromMilliseconds(100);

    private readonly SlotLedger _ledger = new();
    private Dictionary<string, int> _reported = new(StringComparer.Ordinal);
    private DateTimeOffset _reportedUntil;

    public bool Knows(string experimentId) => _ledger.Experiments.Any(e => string.Equals(e.ExperimentId, experimentId, StringComparison.Ordinal));

    /// <summary>Counts <paramref name="busy"/> (per silo) as used until <paramref name="until"/>, or until the books say more.</summary>
    public void Reported(IReadOnlyDictionary<string, int> busy, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(busy);
        _reported = new Dictionary<string, int>(busy, StringComparer.Ordinal);
        _reportedUntil = until;
    }

    public SlotDecision Acquire(SlotRequest request, SlotCapacity capacity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(capacity);
        var books = _ledger.Record(request, capacity.Leases, now);
        _ledger.Forget(now, forgetAfter);
        var used = Used(capacity.Leases, now);
        var classes = capacity.Classes;
        var (grants, grantClass) = _ledger.Grant(books, request, capacity.Leases, classes, used, now, wantValidity);
        var total = capacity.TotalLeases;
        var free = total - used.Values.Sum();
        var nudge = free > 0 ? DueForNudge(books.ExperimentId, now) : [];
        var grant = new SlotGrant
        {
            Silos = grants,
            FairShare = _ledger.FairShares(total).GetValueOrDefault(books.ExperimentId) * capacity.RunSlots / Math.Max(1, total),
            TotalSlots = total,
            FreeSlots = free,
            SlotSilos = capacity.Leases.Keys.Count(silo => request.DeviceClass is null || string.Equals(classes[silo], request.DeviceClass, StringComparison.Ordinal)),
            DeviceClass = grants.Count > 0 ? grantClass ?? (grants.Select(g => classes[g]).Distinct().Count() == 1 ? classes[grants[0]] : null) : null,
        };
        return new SlotDecision(grant, nudge);
    }

    /// <summary>Forgets the experiment; returns the waiting experiments to nudge when it held anything.</summary>
    public IReadOnlyList<string> Leave(string experimentId, DateTimeOffset now) =>
        _ledger.Remove(experimentId) ? DueForNudge(experimentId, now) : [];

    /// <summary>Drops every hold on <paramref name="silo"/> (it drains).</summary>
    public void Drain(string silo) => _ledger.Release(silo);

    public SchedulerSnapshot Snapshot(SlotCapacity capacity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(capacity);
        return new SchedulerSnapshot
        {
            SlotsBySilo = capacity.Leases,
            UsedBySilo = Used(capacity.Leases, now),
            HeldByExperiment = _ledger.HeldByExperiment(),
            ClassBySilo = capacity.Classes,
        };
    }

    private List<string> DueForNudge(string except, DateTimeOffset now) =>
        [.. _ledger.DueForNudge(except, now, wantValidity, NudgeInterval).Select(b => b.ExperimentId)];

    private Dictionary<string, int> Used(IReadOnlyDictionary<string, int> leases, DateTimeOffset now)
    {
        var used = _ledger.Used(leases);
        if (now < _reportedUntil)
        {
            foreach (var (silo, busy) in _reported)
            {
                if (leases.ContainsKey(silo) && busy > used.GetValueOrDefault(silo))
                {
                    used[silo] = busy;
                }
            }
        }

        return used;
    }
}
