namespace PrunerCluster.Evolution;

/// <summary>A constraint <c>metric op threshold</c>, e.g. <c>accuracy_drop &lt;= 1</c> or <c>latency_ms &lt;= 5</c>.</summary>
public sealed record ConstraintSpec(string Metric, ConstraintOp Op, double Threshold)
{
    /// <summary>
    /// How far <paramref name="value"/> is outside the feasible side, relative to max(|Threshold|, 1) so that constraints
    /// in different units add up comparably; 0 when satisfied.
    /// </summary>
    public double Violation(double value)
    {
        var excess = Op == ConstraintOp.LessOrEqual ? value - Threshold : Threshold - value;
        return excess <= 0 ? 0 : excess / Math.Max(Math.Abs(Threshold), 1.0);
    }
}
