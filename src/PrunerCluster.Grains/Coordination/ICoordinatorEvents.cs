namespace PrunerCluster.Grains.Coordination;

/// <summary>What the coordinator's plain classes report (to logs and telemetry in the grain, to a recorder in tests).</summary>
public interface ICoordinatorEvents
{
    void Dispatching(long candidateId, string individualKey, int attempt);

    void DispatchFailed(Exception error, long candidateId, string individualKey);

    void Reissued(long candidateId, string reason);

    void TransientFailure(long candidateId, string reason, string decision);

    void CacheHit();

    void Booked(long candidateId, bool succeeded, bool fromCache, string silo);
}
