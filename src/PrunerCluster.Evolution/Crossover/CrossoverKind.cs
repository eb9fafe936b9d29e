namespace PrunerCluster.Evolution;

public enum CrossoverKind
{
    Uniform,
    SinglePoint,
    TwoPoint,

    /// <summary>Whole segments (bits and integer genes) are exchanged with probability 1/2 each.</summary>
    SegmentWise,
}
