namespace PrunerCluster.Engine.Health;

/// <summary>Which probe a health check feeds.</summary>
public static class HealthTags
{
    /// <summary>Liveness: restart the pod when it fails (a dead silo, a dead slot thread).</summary>
    public const string Live = "live";

    /// <summary>Readiness: route no work here while it fails (not yet joined, draining, storage unreachable).</summary>
    public const string Ready = "ready";
}
