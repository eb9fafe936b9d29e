using PrunerCluster.Contracts;

namespace PrunerCluster.Engine.Recovery;

/// <summary>A Pareto set after re-measurement: every member with both figures, and the recomputed set (members that stay, re-timed metrics).</summary>
public sealed record RemeasuredFront
{
    public required IReadOnlyList<RemeasuredMember> Members { get; init; }

    public required ParetoSet Pareto { get; init; }

    public double Seconds { get; init; }

    public IEnumerable<RemeasuredMember> Left => Members.Where(m => !m.Stays);
}
