namespace PrunerCluster.Evolution;

public interface ICrossover
{
    /// <summary>Two children of parents with the same layout.</summary>
    (Genome First, Genome Second) Cross(Genome a, Genome b, RandomSource random);
}
