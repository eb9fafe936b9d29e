namespace PrunerCluster.Contracts;

/// <summary>Client-side helpers: submit a spec and wait for the search to finish by polling (no call outlives the response timeout).</summary>
public static class ClusterClientExtensions
{
    public static IExperimentRegistryGrain GetExperimentRegistry(this IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IExperimentRegistryGrain>(PrunerClusterGrainKeys.Registry);
    }

    public static IPopulationCoordinatorGrain GetExperiment(this IGrainFactory grains, string experimentId)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IPopulationCoordinatorGrain>(experimentId);
    }

    public static Task<SubmissionResult> SubmitExperimentAsync(this IGrainFactory grains, ExperimentSpec spec) =>
        grains.GetExperimentRegistry().Submit(spec);

    /// <summary>Polls the experiment until it reaches a terminal state; <paramref name="onProgress"/> sees every poll.</summary>
    public static async Task<ExperimentStatus> WaitForExperimentAsync(
        this IGrainFactory grains,
        string experimentId,
        TimeSpan pollInterval,
        Action<ExperimentStatus>? onProgress = null,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        var experiment = grains.GetExperiment(experimentId);
        time ??= TimeProvider.System;
        while (true)
        {
            var status = await experiment.GetStatus();
            onProgress?.Invoke(status);
            if (status.State.IsTerminal())
            {
                return status;
            }

            await Task.Delay(pollInterval, time, cancellationToken);
        }
    }
}
