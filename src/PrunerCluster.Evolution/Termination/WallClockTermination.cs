namespace PrunerCluster.Evolution;

/// <summary>Stops once the run's elapsed time (measured by the engine through its injected <see cref="TimeProvider"/>) reaches the budget.</summary>
public sealed class WallClockTermination : ITermination
{
    public WallClockTermination(TimeSpan budget)
    {
        if (budget <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(budget), budget, "The wall-clock budget must be positive.");
        }

        Budget = budget;
    }

    public TimeSpan Budget { get; }

    public bool IsMet(TerminationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Elapsed >= Budget;
    }

    public double Progress(TerminationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Math.Clamp(context.Elapsed / Budget, 0, 1);
    }
}
