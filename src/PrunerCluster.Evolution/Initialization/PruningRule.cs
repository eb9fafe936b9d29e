namespace PrunerCluster.Evolution;

/// <summary>One-rule pruning baselines that allocate a global keep budget across layers.</summary>
public enum PruningRule
{
    /// <summary>Network slimming (Liu et al. 2017): one global threshold on the units' importance (BatchNorm scale by default).</summary>
    GlobalThreshold = 0,

    /// <summary>
    /// Layer-adaptive magnitude pruning (LAMP, Lee et al. 2021) over units: within a layer, a unit's score is its squared
    /// importance over the sum of the squared importances of the units at least as important; one global threshold on the
    /// scores. Every layer keeps its most important unit (score 1).
    /// </summary>
    Lamp = 1,
}
