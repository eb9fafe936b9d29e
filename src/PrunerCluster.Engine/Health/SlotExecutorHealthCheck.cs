using Microsoft.Extensions.Diagnostics.HealthChecks;
using PrunerCluster.Grains.Slots;

namespace PrunerCluster.Engine.Health;

/// <summary>
/// The slot executor: liveness needs every slot thread alive; readiness also needs the silo not draining (a draining
/// silo takes no new work and is about to stop).
/// </summary>
internal sealed class SlotExecutorHealthCheck(SlotExecutor executor, SiloDrain drain, bool forReadiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["slots"] = executor.Slots,
            ["running"] = executor.Running,
            ["queued"] = executor.Queued,
            ["draining"] = drain.IsDraining,
        };
        if (!executor.SlotThreadsAlive)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("a slot thread died", data: data));
        }

        if (forReadiness && drain.IsDraining)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("draining: taking no new work", data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy(FormattableString.Invariant($"{executor.Running}/{executor.Slots} slots busy, {executor.Queued} queued"), data));
    }
}
