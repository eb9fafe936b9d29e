using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Storage;
using PrunerCluster.Grains.Hosting;

namespace PrunerCluster.Engine.Health;

/// <summary>
/// Reachability of the grain storage every PrunerCluster grain persists to: one read of a probe record through the
/// registered provider, whatever it is (memory, PostgreSQL...), bounded by a timeout.
/// </summary>
internal sealed class StorageHealthCheck(IServiceProvider services, ILocalSiloDetails localSilo) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var storage = services.GetKeyedService<IGrainStorage>(PrunerClusterStorage.Name);
        if (storage is null)
        {
            return HealthCheckResult.Unhealthy($"no grain storage named '{PrunerClusterStorage.Name}' is registered");
        }

        var probe = GrainId.Create("prunercluster-health", localSilo.SiloAddress.ToParsableString());
        try
        {
            await storage.ReadStateAsync("health", probe, new GrainState<StorageProbe>()).WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"storage '{PrunerClusterStorage.Name}' answered");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"storage '{PrunerClusterStorage.Name}' unreachable: {ex.GetType().Name}: {ex.Message}");
        }
    }
}

/// <summary>The record the storage check reads (never written: reading a missing record is enough to reach the storage).</summary>
[GenerateSerializer, Alias("prunercluster.StorageProbe")]
public sealed class StorageProbe
{
    [Id(0)] public DateTimeOffset At { get; set; }
}
