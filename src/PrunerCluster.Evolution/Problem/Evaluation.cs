namespace PrunerCluster.Evolution;

/// <summary>
/// The result of evaluating one genome: raw objective values in <see cref="ObjectiveSpec"/> order (not negated for
/// maximization) and the total constraint violation (0 = feasible).
/// </summary>
public sealed record Evaluation(double[] Objectives, double ConstraintViolation)
{
    public bool IsFeasible => ConstraintViolation == 0;
}
