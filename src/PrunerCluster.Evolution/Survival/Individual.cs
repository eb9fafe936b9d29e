namespace PrunerCluster.Evolution;

/// <summary>An evaluated member of the population, with its objectives in minimization form and its survival attributes.</summary>
internal sealed class Individual
{
    public Individual(long id, Genome genome, int generation, Evaluation evaluation, double[] minimized, int rung = 0)
    {
        Rung = rung;
        Id = id;
        Genome = genome;
        Generation = generation;
        Evaluation = evaluation;
        Minimized = minimized;
    }

    public long Id { get; }

    public Genome Genome { get; }

    public int Generation { get; }

    /// <summary>Fidelity rung the evaluation was measured at.</summary>
    public int Rung { get; }

    public Evaluation Evaluation { get; }

    public double[] Minimized { get; }

    public double Violation => Evaluation.ConstraintViolation;

    public bool IsFeasible => Evaluation.ConstraintViolation == 0;

    /// <summary>Pareto rank among the feasible members; int.MaxValue for infeasible ones.</summary>
    public int Rank { get; set; }

    public double Crowding { get; set; }
}
