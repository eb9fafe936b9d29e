namespace PrunerCluster.Pruning.Metrics;

/// <summary>What a pruned model's forward passes are timed against.</summary>
public enum LatencyReference
{
    /// <summary>Timed alone: <c>latency_ms</c> is the raw median, and carries the machine's drift.</summary>
    None,

    /// <summary>
    /// Timed in alternation with the unpruned model: <c>latency_ms</c> is the median per-pair ratio times the unpruned
    /// model's latency calibrated once per process, so a drift of the machine's speed cancels out.
    /// </summary>
    Unpruned,
}
