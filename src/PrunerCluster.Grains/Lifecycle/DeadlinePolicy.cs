using PrunerCluster.Contracts;
using PrunerCluster.Grains.Evaluation;

namespace PrunerCluster.Grains.Lifecycle;

/// <summary>How long one evaluation attempt may run: the spec's deadline, else one derived from its settings, else the cluster default.</summary>
public static class DeadlinePolicy
{
    /// <summary>Synthetic evaluations get this many times their longest configured duration.</summary>
    public const int SyntheticSlack = 20;

    public static readonly TimeSpan MinimumDerived = TimeSpan.FromSeconds(10);

    public static TimeSpan Resolve(ExperimentSpec spec, TimeSpan clusterDefault)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.EvaluationDeadline is { } explicitDeadline)
        {
            return explicitDeadline;
        }

        if (string.Equals(spec.Backend, SyntheticEvaluationBackend.BackendName, StringComparison.OrdinalIgnoreCase) && spec.Synthetic is { } synthetic)
        {
            var longest = synthetic.Duration * Math.Max(1, synthetic.DurationSpread);
            var derived = longest * SyntheticSlack;
            return derived > MinimumDerived ? derived : MinimumDerived;
        }

        return clusterDefault;
    }
}
