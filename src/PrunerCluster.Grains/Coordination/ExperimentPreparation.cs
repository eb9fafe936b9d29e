using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Grains.Telemetry;

namespace PrunerCluster.Grains.Coordination;

/// <summary>The search an experiment runs once prepared: the backend's model identity, the problem and the evolution engine.</summary>
public sealed record PreparedSearch(PreparedExperiment Prepared, Problem Problem, Nsga2 Engine);

/// <summary>
/// Prepares an experiment's search: the backend (which may train a baseline for minutes) runs on the thread pool, then the
/// problem and engine are built and the settings checked against the problem. Restores the same after a re-activation.
/// </summary>
public static class ExperimentPreparation
{
    public static async Task<PreparedSearch> PrepareAsync(IEvaluationBackend backend, ExperimentSpec spec, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        PreparedExperiment prepared;
        using (PrunerClusterTelemetry.ActivitySource.StartActivity(PrunerClusterTelemetry.ActivityPrepare))
        {
            prepared = await Task.Run(() => backend.PrepareAsync(spec, cancellationToken), cancellationToken);
        }

        var problem = EvolutionMapping.Problem(spec, prepared);
        var settings = EvolutionMapping.Settings(spec, prepared);
        settings.Validate(problem);
        return new PreparedSearch(prepared, problem, Nsga2.Create(problem, settings, time));
    }

    /// <summary>The search as stored; throws <see cref="ArgumentException"/>, <see cref="FormatException"/> or <see cref="InvalidOperationException"/> when it cannot be restored.</summary>
    public static PreparedSearch Restore(ExperimentSpec spec, PreparedExperiment prepared, string algorithmJson, TimeProvider time)
    {
        var problem = EvolutionMapping.Problem(spec, prepared);
        return new PreparedSearch(prepared, problem, Nsga2.Restore(problem, AlgorithmState.FromJson(algorithmJson), time));
    }
}
