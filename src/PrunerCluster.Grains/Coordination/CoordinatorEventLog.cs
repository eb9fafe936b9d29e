using Microsoft.Extensions.Logging;
using PrunerCluster.Grains.Telemetry;

namespace PrunerCluster.Grains.Coordination;

/// <summary>The coordinator's events as log messages and telemetry.</summary>
internal sealed class CoordinatorEventLog(ILogger logger, string experimentId, Func<CoordinatorTelemetry> telemetry) : ICoordinatorEvents
{
    public void Dispatching(long candidateId, string individualKey, int attempt) => telemetry().Dispatching(candidateId, individualKey, attempt);

    public void DispatchFailed(Exception error, long candidateId, string individualKey) => Log.DispatchFailed(logger, error, experimentId, candidateId, individualKey);

    public void Reissued(long candidateId, string reason) => telemetry().Reissued(candidateId, reason);

    public void TransientFailure(long candidateId, string reason, string decision) => Log.TransientFailure(logger, experimentId, candidateId, reason, decision);

    public void CacheHit() => telemetry().CacheHit();

    public void Booked(long candidateId, bool succeeded, bool fromCache, string silo) => telemetry().Booked(candidateId, succeeded, fromCache, silo);
}
