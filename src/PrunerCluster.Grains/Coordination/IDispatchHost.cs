using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Coordination;

/// <summary>What a dispatch pass needs from the cluster: storage, the slot scheduler, the individuals, and the way to finish.</summary>
public interface IDispatchHost
{
    /// <summary>False after a failed write until one succeeds.</summary>
    bool StorageHealthy { get; }

    /// <summary>Stores the coordinator write-ahead; false while storage is down (nothing may go out then).</summary>
    Task<bool> PersistAsync();

    /// <summary>Asks the slot scheduler; throws when it cannot be reached.</summary>
    Task<SlotGrant> AcquireAsync(SlotRequest request);

    Task<DispatchResult[]> DispatchAsync(IReadOnlyList<InFlightEvaluation> entries);

    /// <summary>The engine is done and nothing is in flight.</summary>
    Task CompleteAsync();

    void SchedulerFailed(Exception error);

    /// <summary>The plan is stored and about to go out (telemetry).</summary>
    void Publish(double fairShare);
}
