using PrunerCluster.Contracts;
using PrunerCluster.Grains.Evaluation;

namespace PrunerCluster.Grains.Lifecycle;

/// <summary>How long one evaluation attempt may run: the spec's deadline, else one derived from its settings, else the cluster default.</summary>
public static class DeadlinePolicy
{
    /// <summary>Synthetic evaluations get this many times their longest configured duration.</summary>
    public const int SyntheticSlack = 20;

    public static readonly TimeSpan MinimumDerived = TimeSpan.FromSeconds(10);

    /// <summary>Fine-tune steps assumed for a search evaluation whose spec sets none (the pruning engine's default).</summary>
    public const int DefaultFineTuneSteps = 150;

    public static TimeSpan Resolve(ExperimentSpec spec, TimeSpan clusterDefault)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.EvaluationDeadline is { } explicitDeadline)
        {
            return explicitDeadline;
        }

        if (string.Equals(spec.Backend, ExperimentSpec.SyntheticBackend, StringComparison.OrdinalIgnoreCase) && spec.Synthetic is { } synthetic)
        {
            var longest = synthetic.Duration * Math.Max(1, synthetic.DurationSpread);
            var derived = longest * SyntheticSlack;
            return derived > MinimumDerived ? derived : MinimumDerived;
        }

        return clusterDefault;
    }

    /// <summary>
    /// A final recovery's deadline: the search evaluation's, scaled by how many more fine-tune steps it runs than the
    /// search's own evaluations (never less).
    /// </summary>
    public static TimeSpan ResolveFinalRecovery(ExperimentSpec spec, TimeSpan clusterDefault)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var search = Math.Max(1, spec.Search.Fidelities is { Count: > 0 } ladder ? ladder.Max(r => r.FineTuneSteps) : spec.Evaluation.FineTuneSteps ?? DefaultFineTuneSteps);
        var ratio = Math.Max(1.0, (double)(spec.FinalRecovery?.FineTuneSteps ?? 0) / search);
        return Resolve(spec, clusterDefault) * ratio;
    }
}
