using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Pruning.Evaluation;

namespace PrunerCluster.Engine.Backends;

/// <summary>
/// One rung of a spec's fidelity ladder as the evaluator sees it: its fine-tune steps and validation samples, and the
/// lower rung's weights a promotion continues from.
/// </summary>
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

    /// <summary>
    /// The weights of the evaluation <see cref="EvaluationRequest.WarmStartKey"/> names, from the artifact store; null when the
    /// request has none or the store lost them (the evaluation then fine-tunes from the baseline for all of its steps).
    /// </summary>
    public static WarmStart? WarmStartFrom(IArtifactStore store, EvaluationRequest request)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        if (request.WarmStartKey is not { } key || request.WarmStartSteps <= 0 || store.GetReference(key) is not { } sha)
        {
            return null;
        }

        try
        {
            return store.Get(sha) is { } weights ? new WarmStart(weights, request.WarmStartSteps) : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
