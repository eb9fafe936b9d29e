using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PrunerCluster.Engine.Health;

/// <summary>
/// This silo's own status in the cluster membership. Liveness fails only when the cluster declared it dead (it must
/// restart to rejoin); readiness needs it Active.
/// </summary>
internal sealed class MembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails localSilo, bool requireActive) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(localSilo.SiloAddress);
        var data = new Dictionary<string, object>
        {
            ["silo"] = localSilo.SiloAddress.ToParsableString(),
            ["status"] = status.ToString(),
            ["activeSilos"] = snapshot.Members.Count(m => m.Value.Status == SiloStatus.Active),
        };
        if (status == SiloStatus.Dead)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the cluster declared this silo dead", data: data));
        }

        if (requireActive && status != SiloStatus.Active)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"silo is {status}, not Active", data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy($"silo is {status}", data));
    }
}
