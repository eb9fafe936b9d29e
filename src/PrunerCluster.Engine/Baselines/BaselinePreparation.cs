using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Engine.Baselines;

/// <summary>
/// The prepare-baseline stage on this machine: trains (or finds in the content-addressed cache) the checkpoint a spec's
/// search starts from, resolved exactly as a TorchSharp silo resolves it, on a dedicated thread.
/// </summary>
public sealed class BaselinePreparation
{
    private readonly TorchSharpBackendOptions _options = new();
    private readonly TorchSharpEvaluationBackend _backend;

    public BaselinePreparation() =>
        _backend = new TorchSharpEvaluationBackend(Options.Create(_options), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);

    /// <summary>The backend's submit-time checks of <paramref name="spec"/> (empty when it can run here).</summary>
    public IReadOnlyList<SpecError> Validate(ExperimentSpec spec) => _backend.Validate(spec);

    /// <summary>The training settings and cache folder of <paramref name="spec"/> (<paramref name="cacheOverride"/> first, then the spec's, then the default).</summary>
    public (BaselineTrainingSettings Settings, string Directory) Plan(ExperimentSpec spec, string? cacheOverride)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return (_backend.BaselineTraining(spec), cacheOverride ?? spec.Baseline.CacheDirectory ?? _options.CheckpointCacheDirectory);
    }

    /// <summary>Trains or loads the checkpoint of <paramref name="settings"/> under <paramref name="directory"/>, reporting progress lines.</summary>
    public static Task<BaselineCheckpoint> TrainOrLoadAsync(BaselineTrainingSettings settings, string directory, Action<string> progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Task.Factory.StartNew(
            () =>
            {
                TorchRuntime.Initialize(settings.Threads);
                return BaselineTrainer.TrainOrLoad(settings, directory, progress, ct: ct);
            },
            ct,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }
}
