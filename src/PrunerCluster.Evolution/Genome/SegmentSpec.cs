namespace PrunerCluster.Evolution;

/// <summary>
/// One prunable group of a genome: <paramref name="Bits"/> keep-bits (1 = keep the unit) followed by
/// <paramref name="IntGenes"/> small integer genes, each in [0, <paramref name="IntGeneMax"/>].
/// <paramref name="MinKeep"/> is the minimum number of kept bits that repair restores.
/// </summary>
public sealed record SegmentSpec(string Name, int Bits, int IntGenes = 0, int IntGeneMax = 0, int MinKeep = 1);
