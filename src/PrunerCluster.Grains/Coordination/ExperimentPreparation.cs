using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Telemetry;

namespace PrunerCluster.Grains.Coordination;

/// <summary>The search an experiment runs once prepared: the backend's model identity, the problem and the search algorithm.</summary>
public sealed record PreparedSearch(PreparedExperiment Prepared, Problem Problem, ISearchAlgorithm Engine);

/// <summary>
/// Prepares an experiment's search: the backend (which may train a baseline for minutes) runs on the thread pool, then the
/// problem and the spec's search algorithm (<see cref="SearchAlgorithmFactory"/>) are built and the settings checked against
/// the problem. Restores the same after a re-activation.
/// </summary>
public static class ExperimentPreparation
{
    public static async Task<PreparedSearch> PrepareAsync(IEvaluationBackend backend, ExperimentSpec spec, TimeProvider time, CancellationToken cancellationToken, IProgress<PreparationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        PreparedExperiment prepared;
        using (PrunerClusterTelemetry.ActivitySource.StartActivity(PrunerClusterTelemetry.ActivityPrepare))
        {
            prepared = await Task.Run(() => backend.PrepareAsync(spec, progress, cancellationToken), cancellationToken);
        }

        var problem = EvolutionMapping.Problem(spec, prepared);
        return new PreparedSearch(prepared, problem, SearchAlgorithmFactory.Create(spec, prepared, problem, time));
    }

    /// <summary>The search as stored; throws <see cref="ArgumentException"/>, <see cref="FormatException"/> or <see cref="InvalidOperationException"/> when it cannot be restored.</summary>
    public static PreparedSearch Restore(ExperimentSpec spec, PreparedExperiment prepared, string algorithmJson, TimeProvider time)
    {
        var problem = EvolutionMapping.Problem(spec, prepared);
        return new PreparedSearch(prepared, problem, SearchAlgorithmFactory.Restore(problem, algorithmJson, time));
    }
}
