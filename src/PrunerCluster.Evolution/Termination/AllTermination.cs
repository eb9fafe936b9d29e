namespace PrunerCluster.Evolution;

/// <summary>Met when every child is met; progress is the smallest child progress.</summary>
public sealed class AllTermination : ITermination
{
    public AllTermination(IReadOnlyList<ITermination> criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        if (criteria.Count == 0)
        {
            throw new ArgumentException("At least one criterion is needed.", nameof(criteria));
        }

        Criteria = [.. criteria];
    }

    public IReadOnlyList<ITermination> Criteria { get; }

    public bool IsMet(TerminationContext context) => Criteria.All(c => c.IsMet(context));

    public double Progress(TerminationContext context) => IsMet(context) ? 1 : Criteria.Min(c => c.Progress(context));
}
