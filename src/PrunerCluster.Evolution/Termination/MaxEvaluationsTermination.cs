namespace PrunerCluster.Evolution;

public sealed class MaxEvaluationsTermination : ITermination
{
    public MaxEvaluationsTermination(int maxEvaluations)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvaluations);
        MaxEvaluations = maxEvaluations;
    }

    public int MaxEvaluations { get; }

    public bool IsMet(TerminationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.EvaluationCount >= MaxEvaluations;
    }

    public double Progress(TerminationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Math.Clamp((double)context.EvaluationCount / MaxEvaluations, 0, 1);
    }
}
