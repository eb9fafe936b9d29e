namespace PrunerCluster.Evolution;

public interface IMutation
{
    /// <param name="genome">The genome to mutate (unchanged; a new genome is returned).</param>
    /// <param name="rate">Per-gene mutation rate in [0, 1] (1/L is the usual choice).</param>
    /// <param name="random">The only source of randomness.</param>
    Genome Mutate(Genome genome, double rate, RandomSource random);
}
