using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using PrunerCluster.Grains.Hosting;

namespace PrunerCluster.Grains.Slots;

/// <summary>Silo metadata keys through which each silo advertises its evaluation capacity (fixed for the silo's lifetime).</summary>
public static class SlotMetadata
{
    public const string Slots = "prunercluster.slots";
    public const string DeviceKind = "prunercluster.device-kind";
    public const string DeviceCount = "prunercluster.device-count";

    /// <summary>Device class (e.g. "cpu-x64-2c", "nvidia-h100"): measured objectives compare only within one class.</summary>
    public const string DeviceClass = "prunercluster.device-class";

    /// <summary>Evaluations the scheduler may place on the silo at once (slots plus queued-ahead ones).</summary>
    public const string Leases = "prunercluster.leases";

    /// <summary>Request-context key carrying the silo (parsable address) the slot scheduler granted for a new activation.</summary>
    public const string TargetSiloKey = "prunercluster.slot-silo";

    public static int SlotsOf(SiloMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.Metadata.TryGetValue(Slots, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var slots)
            ? Math.Max(0, slots)
            : 0;
    }

    public static int LeasesOf(SiloMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.Metadata.TryGetValue(Leases, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var leases)
            ? Math.Max(0, leases)
            : SlotsOf(metadata);
    }
}

/// <summary>Places an activation on a silo that advertises evaluation slots, preferring the one the slot scheduler granted.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("prunercluster.SlotPlacement")]
public sealed class SlotPlacement : PlacementStrategy
{
    public static SlotPlacement Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SlotPlacementAttribute : PlacementAttribute
{
    public SlotPlacementAttribute()
        : base(SlotPlacement.Instance)
    {
    }
}

/// <summary>
/// Capacity-aware placement. Free capacity is tracked exactly by the cluster's slot scheduler grain, which grants each
/// evaluation a slot on a particular silo; the coordinator passes that silo in the request context of the first call to the
/// new individual, and this director honours it when the silo is still compatible and advertises slots. Without a grant
/// (e.g. an individual activated only to read its stored result) it spreads activations over slot silos in proportion to
/// their slots. Silos advertising 0 slots are never chosen; with none at all, placement fails with a clear error.
/// </summary>
internal sealed class SlotPlacementDirector(ISiloMetadataCache metadata, ILocalSiloDetails localSilo, IOptions<PrunerClusterSiloOptions> options)
    : IPlacementDirector
{
    private readonly SlotPlacementChoice<SiloAddress> _choice = new(silo => silo.ToParsableString());

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var candidates = context.GetCompatibleSilos(target)
            .Select(silo => (Silo: silo, Slots: SlotsOf(silo)))
            .Where(c => c.Slots > 0)
            .ToArray();
        if (candidates.Length == 0)
        {
            throw new InvalidOperationException(
                $"No active silo advertises evaluation slots (silo metadata '{SlotMetadata.Slots}' > 0); start a silo with slots to evaluate masks.");
        }

        var granted = target.RequestContextData is { } data && data.TryGetValue(SlotMetadata.TargetSiloKey, out var hinted) && hinted is string text
            ? SiloAddress.FromParsableString(text)
            : null;
        return Task.FromResult(_choice.Choose(candidates, granted));
    }

    private int SlotsOf(SiloAddress silo) =>
        silo.Equals(localSilo.SiloAddress) ? options.Value.Slots : SlotMetadata.SlotsOf(metadata.GetSiloMetadata(silo));
}
