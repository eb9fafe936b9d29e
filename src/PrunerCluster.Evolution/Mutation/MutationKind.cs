namespace PrunerCluster.Evolution;

public enum MutationKind
{
    /// <summary>Every bit flips (and every integer gene is redrawn) independently with the mutation rate.</summary>
    BitFlip,

    /// <summary>Swaps a kept and a pruned unit inside a segment, so segment densities stay unchanged.</summary>
    DensityPreservingSwap,

    /// <summary>One random segment gets a new random number of kept units (and its integer genes may be redrawn).</summary>
    SegmentLevel,

    /// <summary>Integer genes step up or down by one or two (ordinal keep levels); bits flip.</summary>
    Creep,
}
