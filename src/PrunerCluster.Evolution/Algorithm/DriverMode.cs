namespace PrunerCluster.Evolution;

public enum DriverMode
{
    /// <summary>Ask a whole generation, tell all of it, then survive (mu + lambda); results do not depend on tell order.</summary>
    Generational,

    /// <summary>Ask whenever a worker is free; every told result enters survival at once (mu + 1), so nobody waits at a barrier.</summary>
    SteadyState,
}
