namespace PrunerCluster.Evolution;

/// <summary>Met when any child is met; progress is the largest child progress.</summary>
public sealed class AnyTermination : ITermination
{
    public AnyTermination(IReadOnlyList<ITermination> criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        if (criteria.Count == 0)
        {
            throw new ArgumentException("At least one criterion is needed.", nameof(criteria));
        }

        Criteria = [.. criteria];
    }

    public IReadOnlyList<ITermination> Criteria { get; }

    public bool IsMet(TerminationContext context) => Criteria.Any(c => c.IsMet(context));

    public double Progress(TerminationContext context) => IsMet(context) ? 1 : Criteria.Max(c => c.Progress(context));
}
