using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Engine.Backends;

/// <summary>
/// Where a silo's baseline checkpoints come from: imported (ONNX, PyTorch weights), given by path, trained or found in the
/// content-addressed cache, or fetched from the artifact store when another silo prepared the experiment; and the data set
/// pin that keeps every silo on the same files.
/// </summary>
public sealed partial class BaselineCheckpoints(TorchSharpBackendOptions options, IArtifactStore artifacts, PruningHostServices host, ILogger logger)
{
    private readonly TorchSharpBackendOptions _options = options;
    private readonly ILogger _logger = logger;
    private readonly ConcurrentDictionary<string, string> _origins = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BaselineCheckpoint> _checkpoints = new(StringComparer.Ordinal);
    private readonly Lock _fetchGate = new();

    public IArtifactStore Artifacts { get; } = artifacts;

    /// <summary>The data sets and device gates of the host this silo's backend runs in.</summary>
    public PruningHostServices Host { get; } = host;

    /// <summary>Data sets loaded by this host, shared by preparation and evaluation.</summary>
    public DatasetCache Datasets => Host.Datasets;

    /// <summary>How this process obtained the checkpoint <paramref name="checkpointHash"/>, or null.</summary>
    public string? Origin(string checkpointHash) => _origins.TryGetValue(checkpointHash, out var origin) ? origin : null;

    /// <summary>
    /// The checkpoint <paramref name="spec"/> starts from, published to the artifact store, with the training settings when
    /// this silo trained (or found cached) a zoo baseline.
    /// </summary>
    /// <param name="report">Training progress of a baseline this silo trains (nothing is reported for a cached, fetched or imported one).</param>
    public (BaselineCheckpoint Checkpoint, BaselineTrainingSettings? Trained) Acquire(ExperimentSpec spec, EvaluationSettings settings, Action<TrainingProgress>? report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(settings);
        BaselineCheckpoint checkpoint;
        BaselineTrainingSettings? trained = null;
        var origin = TorchSharpEvaluationBackend.OriginGiven;
        if (spec.ModelSource?.Onnx is { } onnx)
        {
            var descriptor = DataSourceResolver.Resolve(spec, out var dataError) ?? throw new ArgumentException(dataError!.Message, nameof(spec));
            checkpoint = OnnxBaseline.Import(onnx, descriptor, spec.Baseline.CacheDirectory ?? _options.CheckpointCacheDirectory, Datasets, maxTestSamples: spec.Baseline.MaxTestSamples, progress: message => LogBaselineProgress(_logger, message), ct: cancellationToken);
        }
        else if (spec.ModelSource?.Weights is { } weights)
        {
            var descriptor = DataSourceResolver.Resolve(spec, out var dataError) ?? throw new ArgumentException(dataError!.Message, nameof(spec));
            checkpoint = PyTorchBaseline.Import(weights, spec.ModelSource.Zoo ?? spec.Model, descriptor, spec.Baseline.CacheDirectory ?? _options.CheckpointCacheDirectory, Datasets, maxTestSamples: spec.Baseline.MaxTestSamples, progress: message => LogBaselineProgress(_logger, message), ct: cancellationToken);
        }
        else if (spec.Baseline.CheckpointPath is { } path)
        {
            var metadata = path.EndsWith(".json", StringComparison.Ordinal) ? path : path + ".json";
            checkpoint = BaselineCheckpoint.Load(metadata);
            checkpoint.Verify();
        }
        else
        {
            var training = SpecSettings.BaselineTraining(spec, _options.Threads);
            trained = training;
            var cache = spec.Baseline.CacheDirectory ?? _options.CheckpointCacheDirectory;
            origin = TorchSharpEvaluationBackend.OriginTrained;
            var weightsPath = BaselineTrainer.CachedWeightsPath(training, cache);
            if (File.Exists(weightsPath) && File.Exists(weightsPath + ".json"))
            {
                origin = TorchSharpEvaluationBackend.OriginCached;
            }
            else
            {
                Directory.CreateDirectory(cache);
                if (CheckpointArtifacts.TryFetch(Artifacts, CheckpointArtifacts.BySettings(training.ContentHash), weightsPath) is { } fetched)
                {
                    origin = TorchSharpEvaluationBackend.OriginFetched;
                    LogBaselineFetched(_logger, fetched.ContentHash, Artifacts.ToString() ?? "", weightsPath);
                }
            }

            checkpoint = BaselineTrainer.TrainOrLoad(training, cache, message => LogBaselineProgress(_logger, message), Datasets, Host.Gates, report, cancellationToken);
        }

        _origins.TryAdd(checkpoint.ContentHash, origin);
        CheckpointArtifacts.Publish(Artifacts, checkpoint);
        _checkpoints[checkpoint.ContentHash] = checkpoint;
        return (checkpoint, trained);
    }

    public BaselineCheckpoint Load(PreparedExperiment prepared)
    {
        if (_checkpoints.TryGetValue(prepared.CheckpointHash, out var known))
        {
            return known;
        }

        // Another silo (or this one before a restart) prepared it: fetch it from the artifact store into this silo's own cache,
        // once, while the other slot threads that need it wait.
        lock (_fetchGate)
        {
            return _checkpoints.TryGetValue(prepared.CheckpointHash, out var meanwhile) ? meanwhile : FetchCheckpoint(prepared);
        }
    }

    private BaselineCheckpoint FetchCheckpoint(PreparedExperiment prepared)
    {
        var local = Path.Combine(_options.CheckpointCacheDirectory, "fetched", prepared.CheckpointHash + ".bin");
        if (File.Exists(local) && File.Exists(local + ".json"))
        {
            try
            {
                _origins.TryAdd(prepared.CheckpointHash, TorchSharpEvaluationBackend.OriginCached);
                return _checkpoints.GetOrAdd(prepared.CheckpointHash, BaselineCheckpoint.Load(local + ".json") with { Path = local });
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or System.Text.Json.JsonException)
            {
                LogFetchedCheckpointUnusable(_logger, local, ex.Message);
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        if (CheckpointArtifacts.TryFetch(Artifacts, CheckpointArtifacts.ByHash(prepared.CheckpointHash), local) is { } fetched)
        {
            LogBaselineFetched(_logger, fetched.ContentHash, Artifacts.ToString() ?? "", local);
            _origins.TryAdd(fetched.ContentHash, TorchSharpEvaluationBackend.OriginFetched);
            return _checkpoints.GetOrAdd(prepared.CheckpointHash, fetched);
        }

        var path = prepared.CheckpointPath
            ?? throw new InvalidOperationException($"Checkpoint {prepared.CheckpointHash[..12]} is not known on this silo and the experiment carries no checkpoint path.");
        var checkpoint = BaselineCheckpoint.Load(path + ".json") with { Path = path };
        if (!string.Equals(checkpoint.ContentHash, prepared.CheckpointHash, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Checkpoint '{path}' has hash {checkpoint.ContentHash[..12]}, the experiment expects {prepared.CheckpointHash[..12]}.");
        }

        return _checkpoints.GetOrAdd(prepared.CheckpointHash, checkpoint);
    }

    /// <summary>The content hash of the checkpoint's data set on this machine, its manifest stored under that key; null when there are no files to pin.</summary>
    public string? PinDataset(BaselineCheckpoint checkpoint)
    {
        if (DatasetPin.RootOf(checkpoint.Dataset, checkpoint.DataRoot, checkpoint.Source) is not { } root || !Directory.Exists(root))
        {
            return null;
        }

        return Artifacts.Put(System.Text.Encoding.UTF8.GetBytes(DatasetPin.ManifestText(DatasetPin.Compute(root))));
    }

    /// <summary>Null when this silo's copy of the data matches what the experiment pinned (or nothing was pinned), else why not.</summary>
    public string? DatasetRefusal(PreparedExperiment prepared, BaselineCheckpoint checkpoint, string silo)
    {
        if (prepared.DatasetHash is not { } pinned)
        {
            return null;
        }

        var root = DatasetPin.RootOf(checkpoint.Dataset, checkpoint.DataRoot, checkpoint.Source);
        if (root is null)
        {
            return $"the experiment pinned data set '{checkpoint.Dataset}' (content SHA-256 {pinned}) but silo {silo} cannot name its folder";
        }

        var local = Directory.Exists(root) ? DatasetPin.Compute(root) : new Dictionary<string, string>();
        var actual = DatasetPin.ContentHash(local);
        if (string.Equals(actual, pinned, StringComparison.Ordinal))
        {
            return null;
        }

        // Name the file that differs from the pinned manifest; without it, name the folder and both content hashes.
        return Artifacts.Get(pinned) is { } manifest && DatasetPin.Mismatch(DatasetPin.ParseManifest(System.Text.Encoding.UTF8.GetString(manifest)), root, silo) is { } file
            ? file
            : $"data set folder '{Path.GetFullPath(root)}' on silo {silo} has content SHA-256 {actual}, the experiment pinned {pinned}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Message}")]
    private static partial void LogBaselineProgress(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Baseline checkpoint {CheckpointHash} fetched from the artifact store ({Store}) into '{Path}'")]
    private static partial void LogBaselineFetched(ILogger logger, string checkpointHash, string store, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetched checkpoint '{Path}' is unusable ({Reason}); fetching it again")]
    private static partial void LogFetchedCheckpointUnusable(ILogger logger, string path, string reason);
}
