using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Slots;

namespace PrunerCluster.Grains;

/// <summary>
/// Cluster-wide weighted fair-share scheduler over every active silo's evaluation leases (slots plus the evaluations queued
/// ahead per slot, from silo metadata).
/// A free slot goes to the requesting experiment only when no other experiment that wants slots (and is under its cap)
/// holds fewer slots per unit of weight; otherwise the better-entitled experiment is nudged to come and take it. So each
/// experiment converges to slots proportional to its weight (bounded by its cap), none starves, and a slot stays free only
/// until the nudged coordinator asks. The grant names the silo with the most free slots, which the placement director then
/// uses for the new individual activation, so no silo is ever handed more evaluations than it has slots.
/// State is soft: each request carries what the experiment holds per silo and replaces the books for that experiment.
/// Device classes: a request naming a class is granted only silos of that class; one asking for a single class gets silos
/// of one class per grant (the grant says which), so an experiment can pin the class of its first grant. Silos the request asks
/// to avoid (they failed or refused its work) are granted only when no other silo has a free slot.
/// Re-activated (its silo died, or it was collected), it asks every slot silo what its executor holds and counts that as
/// used until the coordinators have reported their holdings again, so a fresh activation never grants slots that are busy.
/// </summary>
internal sealed class SlotSchedulerGrain(
    IClusterMembershipService membership,
    ISiloMetadataCache metadata,
    ILocalSiloDetails localSilo,
    IOptions<PrunerClusterSiloOptions> options,
    TimeProvider time) : Grain, ISlotSchedulerGrain
{
    private static readonly TimeSpan NudgeInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, ExperimentBooks> _experiments = new(StringComparer.Ordinal);
    private readonly HashSet<string> _draining = new(StringComparer.Ordinal);
    private Dictionary<string, int> _reported = new(StringComparer.Ordinal);
    private DateTimeOffset _reportedUntil;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var reports = await Task.WhenAll(Capacity().Keys.Select(AskSilo));
        _reported = reports.OfType<SiloSlotReport>().ToDictionary(r => r.Silo, r => Math.Max(r.Outstanding, r.Running + r.Queued), StringComparer.Ordinal);

        // Every coordinator reports its holdings on its next tick; until then the silos' own counts stand in for them.
        _reportedUntil = time.GetUtcNow() + (options.Value.CoordinatorTick * 3);
    }

    private async Task<SiloSlotReport?> AskSilo(string silo)
    {
        RequestContext.Set(SlotMetadata.TargetSiloKey, silo);
        try
        {
            return await GrainFactory.GetGrain<ISiloSlotsGrain>(silo).Report().WaitAsync(ReportTimeout, time);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
        finally
        {
            RequestContext.Remove(SlotMetadata.TargetSiloKey);
        }
    }

    public Task<SlotGrant> Acquire(SlotRequest request, IPopulationCoordinatorGrain coordinator)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var capacity = Capacity();
        if (!_experiments.TryGetValue(request.ExperimentId, out var books))
        {
            books = new ExperimentBooks(request.ExperimentId);
            _experiments[request.ExperimentId] = books;
        }

        books.Weight = request.Weight > 0 ? request.Weight : 1;
        books.Cap = request.Cap;
        books.Want = Math.Max(0, request.Want);
        books.LastSeen = now;
        books.Coordinator = coordinator;
        books.Held.Clear();
        foreach (var (silo, count) in request.Held)
        {
            if (count > 0 && capacity.ContainsKey(silo))
            {
                books.Held[silo] = count;
            }
        }

        Forget(now);
        var used = Used(capacity);
        var grants = new List<string>();
        var classes = Classes(capacity);
        var grantClass = request.DeviceClass;
        var avoid = new HashSet<string>(request.Avoid, StringComparer.Ordinal);
        while (books.Want > 0 && books.UnderCap && IsNext(books, now))
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

        var total = capacity.Values.Sum();
        var free = total - used.Values.Sum();
        if (free > 0)
        {
            NudgeWaiting(books.ExperimentId, now);
        }

        return Task.FromResult(new SlotGrant
        {
            Silos = grants,
            FairShare = FairShares(total).GetValueOrDefault(books.ExperimentId),
            TotalSlots = total,
            FreeSlots = free,
            SlotSilos = capacity.Keys.Count(silo => request.DeviceClass is null || string.Equals(classes[silo], request.DeviceClass, StringComparison.Ordinal)),
            DeviceClass = grants.Count > 0 ? grantClass ?? (grants.Select(g => classes[g]).Distinct().Count() == 1 ? classes[grants[0]] : null) : null,
        });
    }

    public Task Leave(string experimentId)
    {
        if (_experiments.Remove(experimentId))
        {
            NudgeWaiting(experimentId, time.GetUtcNow());
        }

        return Task.CompletedTask;
    }

    public Task Drain(string silo)
    {
        ArgumentException.ThrowIfNullOrEmpty(silo);
        _draining.Add(silo);
        foreach (var books in _experiments.Values)
        {
            books.Held.Remove(silo);
        }

        return Task.CompletedTask;
    }

    public Task<SchedulerSnapshot> GetSnapshot()
    {
        var capacity = Capacity();
        return Task.FromResult(new SchedulerSnapshot
        {
            SlotsBySilo = capacity,
            UsedBySilo = Used(capacity),
            HeldByExperiment = _experiments.Values.ToDictionary(e => e.ExperimentId, e => e.HeldTotal, StringComparer.Ordinal),
            ClassBySilo = Classes(capacity),
        });
    }

    /// <summary>True when no other waiting experiment holds fewer slots per weight than <paramref name="books"/>.</summary>
    private bool IsNext(ExperimentBooks books, DateTimeOffset now)
    {
        var mine = books.HeldTotal / books.Weight;
        foreach (var other in _experiments.Values)
        {
            if (!ReferenceEquals(other, books) && other.IsWaiting(now, WantValidity) && other.HeldTotal / other.Weight < mine - 1e-9)
            {
                return false;
            }
        }

        return true;
    }

    private void NudgeWaiting(string except, DateTimeOffset now)
    {
        foreach (var other in _experiments.Values)
        {
            if (other.ExperimentId != except && other.IsWaiting(now, WantValidity) && other.Coordinator is { } coordinator && now - other.LastNudged >= NudgeInterval)
            {
                other.LastNudged = now;
                _ = coordinator.OnSlotsAvailable();
            }
        }
    }

    private TimeSpan WantValidity => options.Value.CoordinatorTick * 5;

    private void Forget(DateTimeOffset now)
    {
        foreach (var stale in _experiments.Values.Where(e => now - e.LastSeen > options.Value.SchedulerForgetAfter).ToArray())
        {
            _experiments.Remove(stale.ExperimentId);
        }
    }

    private Dictionary<string, int> Capacity()
    {
        var capacity = new Dictionary<string, int>(StringComparer.Ordinal);
        var members = membership.CurrentSnapshot.Members;
        _draining.RemoveWhere(d => !members.Any(m => m.Value.Status == SiloStatus.Active && m.Key.ToParsableString() == d));
        foreach (var (silo, member) in members)
        {
            if (member.Status != SiloStatus.Active || _draining.Contains(silo.ToParsableString()))
            {
                continue;
            }

            var slots = silo.Equals(localSilo.SiloAddress) ? options.Value.Leases : SlotMetadata.LeasesOf(metadata.GetSiloMetadata(silo));
            if (slots > 0)
            {
                capacity[silo.ToParsableString()] = slots;
            }
        }

        return capacity;
    }

    private Dictionary<string, string> Classes(Dictionary<string, int> capacity)
    {
        var classes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var silo in capacity.Keys)
        {
            var address = SiloAddress.FromParsableString(silo);
            classes[silo] = address.Equals(localSilo.SiloAddress)
                ? options.Value.EffectiveDeviceClass
                : metadata.GetSiloMetadata(address).Metadata.GetValueOrDefault(SlotMetadata.DeviceClass) ?? "unknown";
        }

        return classes;
    }

    private Dictionary<string, int> Used(Dictionary<string, int> capacity)
    {
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var books in _experiments.Values)
        {
            foreach (var (silo, count) in books.Held)
            {
                if (capacity.ContainsKey(silo))
                {
                    used[silo] = used.GetValueOrDefault(silo) + count;
                }
            }
        }

        if (time.GetUtcNow() < _reportedUntil)
        {
            foreach (var (silo, busy) in _reported)
            {
                if (capacity.ContainsKey(silo) && busy > used.GetValueOrDefault(silo))
                {
                    used[silo] = busy;
                }
            }
        }

        return used;
    }

    /// <summary>Weighted max-min fair shares (water-filling) of <paramref name="total"/> slots, for status reporting.</summary>
    private Dictionary<string, double> FairShares(int total)
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

    private sealed class ExperimentBooks(string experimentId)
    {
        public string ExperimentId { get; } = experimentId;

        public double Weight { get; set; } = 1;

        public int Cap { get; set; }

        public int Want { get; set; }

        public DateTimeOffset LastSeen { get; set; }

        public DateTimeOffset LastNudged { get; set; }

        public IPopulationCoordinatorGrain? Coordinator { get; set; }

        public Dictionary<string, int> Held { get; } = new(StringComparer.Ordinal);

        public int HeldTotal => Held.Values.Sum();

        public bool UnderCap => Cap <= 0 || HeldTotal < Cap;

        public bool IsWaiting(DateTimeOffset now, TimeSpan validity) => Want > 0 && UnderCap && now - LastSeen <= validity;
    }
}
