using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Evaluation;

namespace PrunerCluster.Silo.Backends;

/// <summary>The evaluation settings of one rung of a spec's fidelity ladder: its fine-tune steps and validation samples.</summary>
public static class FidelitySettings
{
    public static EvaluationSettings At(EvaluationSettings settings, FidelityRung? rung)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return rung is null ? settings : settings with
        {
            FineTuneSteps = rung.FineTuneSteps,
            ValidationSamples = rung.ValidationSamples ?? settings.ValidationSamples,
        };
    }
}
