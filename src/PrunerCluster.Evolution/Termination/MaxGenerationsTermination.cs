namespace PrunerCluster.Evolution;

public sealed class MaxGenerationsTermination : ITermination
{
    public MaxGenerationsTermination(int maxGenerations)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxGenerations);
        MaxGenerations = maxGenerations;
    }

    public int MaxGenerations { get; }

    public bool IsMet(TerminationContext context) => Context(context).Generation >= MaxGenerations;

    public double Progress(TerminationContext context) => Math.Clamp((double)Context(context).Generation / MaxGenerations, 0, 1);

    private static TerminationContext Context(TerminationContext context) => context ?? throw new ArgumentNullException(nameof(context));
}
