namespace PrunerCluster.Evolution;

/// <summary>Every bit and integer gene comes from either parent with probability 1/2.</summary>
public sealed class UniformCrossover : ICrossover
{
    public (Genome First, Genome Second) Cross(Genome a, Genome b, RandomSource random)
    {
        CrossoverMixing.CheckParents(a, b, random);
        return CrossoverMixing.Mix(a, b, _ => random.NextUInt64(), _ => random.NextBool(0.5));
    }
}
