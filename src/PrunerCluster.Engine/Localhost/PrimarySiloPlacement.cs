using Orleans.Placement;
using Orleans.Runtime.Placement;
using Microsoft.Extensions.Options;
using PrunerCluster.Engine.Hosting;

namespace PrunerCluster.Engine.Localhost;

/// <summary>Places an activation on the localhost cluster's primary silo, the one that also keeps the membership.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("prunercluster.PrimarySiloPlacement")]
public sealed class PrimarySiloPlacement : PlacementStrategy
{
    public static PrimarySiloPlacement Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PrimarySiloPlacementAttribute : PlacementAttribute
{
    public PrimarySiloPlacementAttribute()
        : base(PrimarySiloPlacement.Instance)
    {
    }
}

internal sealed class PrimarySiloPlacementDirector(IOptions<ClusterHostingOptions> cluster) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var primary = cluster.Value.PrimaryEndpoint;
        var silo = context.GetCompatibleSilos(target).FirstOrDefault(s => s.Endpoint.Equals(primary))
            ?? throw new InvalidOperationException($"The localhost cluster's primary silo {primary} is not active: it keeps the membership and the grain state.");
        return Task.FromResult(silo);
    }
}
