using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Evaluation;

namespace PrunerCluster.Engine.Backends;

/// <summary>
/// The evaluation settings of final recovery: the search's, with the longer fine-tuning budget, scored on the whole
/// held-out test set. Which members are recovered is the coordinator's choice (<c>FinalRecoverySelection</c>).
/// </summary>
public static class FinalRecoveryPlan
{
    /// <summary>
    /// Settings of a final-recovery evaluation; without recovery settings only the test-set scoring changes. A recovery
    /// that continues from a member's search weights (<paramref name="warmStartSteps"/> steps already run) gets that many
    /// steps on top, so it still fine-tunes for the recovery's full steps.
    /// </summary>
    public static EvaluationSettings Settings(EvaluationSettings search, FinalRecoverySettings? recovery, int warmStartSteps = 0)
    {
        ArgumentNullException.ThrowIfNull(search);
        var settings = search with { UseTestSet = true, ValidationSamples = int.MaxValue };
        if (recovery is not { Enabled: true })
        {
            return settings;
        }

        return settings with
        {
            FineTuneSteps = recovery.FineTuneSteps + Math.Max(0, warmStartSteps),
            LearningRate = recovery.LearningRate ?? search.LearningRate,
            LearningRateSearch = recovery.LearningRate is null && search.LearningRateSearch,
        };
    }

    /// <summary>
    /// Where a final recovery saves its model on this silo: <c>&lt;root&gt;/&lt;experiment&gt;/models/&lt;name&gt;</c>, each part reduced
    /// to one safe path segment (<see cref="PathSegment"/>); null when the host keeps no models (<paramref name="root"/> null), the request is no final
    /// recovery or names no folder.
    /// </summary>
    public static string? ExportDirectory(string? root, EvaluationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(root) || request.FinalRecovery is null || string.IsNullOrWhiteSpace(request.ExportName))
        {
            return null;
        }

        return Path.Combine(Path.GetFullPath(root), PathSegment.Safe(request.ExperimentId), FinalRecoveryResult.ModelsFolder, PathSegment.Safe(request.ExportName));
    }
}
