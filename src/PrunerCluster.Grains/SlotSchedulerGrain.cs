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
    private readonly SlotLedger _ledger = new();
    private readonly Dictionary<string, IPopulationCoordinatorGrain> _coordinators = new(StringComparer.Ordinal);
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
        var books = _ledger.Record(request, capacity, now);
        _coordinators[request.ExperimentId] = coordinator;
        Forget(now);
        var used = Used(capacity);
        var classes = Classes(capacity);
        var (grants, grantClass) = _ledger.Grant(books, request, capacity, classes, used, now, WantValidity);
        var total = capacity.Values.Sum();
        var free = total - used.Values.Sum();
        if (free > 0)
        {
            NudgeWaiting(books.ExperimentId, now);
        }

        return Task.FromResult(new SlotGrant
        {
            Silos = grants,
            FairShare = _ledger.FairShares(total).GetValueOrDefault(books.ExperimentId) * RunSlots(capacity) / Math.Max(1, total),
            TotalSlots = total,
            FreeSlots = free,
            SlotSilos = capacity.Keys.Count(silo => request.DeviceClass is null || string.Equals(classes[silo], request.DeviceClass, StringComparison.Ordinal)),
            DeviceClass = grants.Count > 0 ? grantClass ?? (grants.Select(g => classes[g]).Distinct().Count() == 1 ? classes[grants[0]] : null) : null,
        });
    }

    public Task Leave(string experimentId)
    {
        _coordinators.Remove(experimentId);
        if (_ledger.Remove(experimentId))
        {
            NudgeWaiting(experimentId, time.GetUtcNow());
        }

        return Task.CompletedTask;
    }

    public Task Drain(string silo)
    {
        ArgumentException.ThrowIfNullOrEmpty(silo);
        _draining.Add(silo);
        _ledger.Release(silo);

        return Task.CompletedTask;
    }

    public Task<SchedulerSnapshot> GetSnapshot()
    {
        var capacity = Capacity();
        return Task.FromResult(new SchedulerSnapshot
        {
            SlotsBySilo = capacity,
            UsedBySilo = Used(capacity),
            HeldByExperiment = _ledger.HeldByExperiment(),
            ClassBySilo = Classes(capacity),
        });
    }

    private void NudgeWaiting(string except, DateTimeOffset now)
    {
        foreach (var other in _ledger.DueForNudge(except, now, WantValidity, NudgeInterval))
        {
            if (_coordinators.TryGetValue(other.ExperimentId, out var coordinator))
            {
                _ = coordinator.OnSlotsAvailable();
            }
        }
    }

    private TimeSpan WantValidity => options.Value.CoordinatorTick * 5;

    private void Forget(DateTimeOffset now)
    {
        _ledger.Forget(now, options.Value.SchedulerForgetAfter);
        foreach (var gone in _coordinators.Keys.Except(_ledger.Experiments.Select(e => e.ExperimentId)).ToArray())
        {
            _coordinators.Remove(gone);
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

    /// <summary>
    /// Slots that run evaluations on the silos of <paramref name="capacity"/> (which counts leases: slots plus those queued
    /// ahead), so a fair share reported to status is in slots: one slot with one queued lease is one slot, not two.
    /// </summary>
    private int RunSlots(Dictionary<string, int> capacity) => capacity.Keys.Sum(silo =>
    {
        var address = SiloAddress.FromParsableString(silo);
        var slots = address.Equals(localSilo.SiloAddress) ? options.Value.Slots : SlotMetadata.SlotsOf(metadata.GetSiloMetadata(address));
        return slots > 0 ? Math.Min(slots, capacity[silo]) : capacity[silo];
    });

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
        var used = _ledger.Used(capacity);
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
}
