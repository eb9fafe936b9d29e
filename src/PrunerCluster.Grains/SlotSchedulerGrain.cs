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
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(5);
    private readonly SlotScheduling _scheduling = new(options.Value.CoordinatorTick * 5, options.Value.SchedulerForgetAfter);
    private readonly Dictionary<string, IPopulationCoordinatorGrain> _coordinators = new(StringComparer.Ordinal);
    private readonly HashSet<string> _draining = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var reports = await Task.WhenAll(Capacity().Keys.Select(AskSilo));

        // Every coordinator reports its holdings on its next tick; until then the silos' own counts stand in for them.
        _scheduling.Reported(
            reports.OfType<SiloSlotReport>().ToDictionary(r => r.Silo, r => Math.Max(r.Outstanding, r.Running + r.Queued), StringComparer.Ordinal),
            time.GetUtcNow() + (options.Value.CoordinatorTick * 3));
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
        _coordinators[request.ExperimentId] = coordinator;
        var decision = _scheduling.Acquire(request, Describe(Capacity()), time.GetUtcNow());
        foreach (var gone in _coordinators.Keys.Where(id => !_scheduling.Knows(id)).ToArray())
        {
            _coordinators.Remove(gone);
        }

        Nudge(decision.Nudge);
        return Task.FromResult(decision.Grant);
    }

    public Task Leave(string experimentId)
    {
        _coordinators.Remove(experimentId);
        Nudge(_scheduling.Leave(experimentId, time.GetUtcNow()));
        return Task.CompletedTask;
    }

    public Task Drain(string silo)
    {
        ArgumentException.ThrowIfNullOrEmpty(silo);
        _draining.Add(silo);
        _scheduling.Drain(silo);

        return Task.CompletedTask;
    }

    public Task<SchedulerSnapshot> GetSnapshot() => Task.FromResult(_scheduling.Snapshot(Describe(Capacity()), time.GetUtcNow()));

    private void Nudge(IReadOnlyList<string> experiments)
    {
        foreach (var experimentId in experiments)
        {
            if (_coordinators.TryGetValue(experimentId, out var coordinator))
            {
                _ = coordinator.OnSlotsAvailable();
            }
        }
    }

    private SlotCapacity Describe(Dictionary<string, int> capacity) => new(capacity, Classes(capacity), RunSlots(capacity));

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
}
