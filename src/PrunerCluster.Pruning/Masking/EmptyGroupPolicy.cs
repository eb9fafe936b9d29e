namespace PrunerCluster.Pruning.Masking;

public enum EmptyGroupPolicy
{
    /// <summary>A group with fewer kept units than its MinKeep gets its most important (L1) units back; the repair is reported.</summary>
    Repair,

    /// <summary>Such a mask is invalid and the evaluation fails with the reason.</summary>
    Reject,
}
