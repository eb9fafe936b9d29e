namespace PrunerCluster.Evolution;

public enum CrossoverKind
{
    Uniform,
    SinglePoint,
    TwoPoint,

    /// <summary>Whole segments (bits and integer genes) are exchanged with probability 1/2 each.</summary>
    SegmentWise,

    /// <summary>Integer genes blend between the parents with one weight per mating; bits mix uniformly (see <see cref="ArithmeticCrossover"/>).</summary>
    Arithmetic,
}
