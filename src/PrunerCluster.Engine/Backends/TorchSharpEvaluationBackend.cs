using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Evaluation;
using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;
using MetricNames = PrunerCluster.Contracts.MetricNames;

namespace PrunerCluster.Engine.Backends;

/// <summary>
/// The product evaluation backend: the TorchSharp pruning engine. Prepares a baseline checkpoint (trained once, cached on
/// disk by its settings hash) and evaluates masks by physically shrinking, fine-tuning and measuring the model.
/// </summary>
public sealed partial class TorchSharpEvaluationBackend(
    IOptions<TorchSharpBackendOptions> options,
    TimeProvider time,
    ILogger<TorchSharpEvaluationBackend> logger,
    IArtifactStore? artifacts = null) : IEvaluationBackend
{
    public const string BackendName = "torchsharp";

    /// <summary>How a prepare step obtained its baseline checkpoint (see <see cref="BaselineOrigin"/>).</summary>
    public const string OriginTrained = "trained";
    public const string OriginCached = "cached";
    public const string OriginFetched = "fetched";
    public const string OriginGiven = "given";

    private readonly DatasetCache _datasets = new();
    private readonly IArtifactStore _artifacts = artifacts ?? new LocalArtifactStore(options.Value.ResolvedArtifactDirectory);
    private readonly ConcurrentDictionary<string, string> _origins = new(StringComparer.Ordinal);
    private readonly Lock _fetchGate = new();
    private PruningEvaluator? _evaluator;
    private readonly ConcurrentDictionary<string, BaselineCheckpoint> _checkpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GenomeLayout> _layouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PreparedExperiment> _prepared = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _rangeTestsLogged = new(StringComparer.Ordinal);

    public string Name => BackendName;

    /// <summary>The artifact store this backend writes fine-tuned weights and baseline checkpoints to and reads them from.</summary>
    public IArtifactStore Artifacts => _artifacts;

    private PruningEvaluator Evaluator => LazyInitializer.EnsureInitialized(ref _evaluator, () => new PruningEvaluator(null, _artifacts));

    /// <summary>How this process obtained the baseline checkpoint <paramref name="checkpointHash"/> (trained, cached, fetched from the artifact store, given), or null.</summary>
    public string? BaselineOrigin(string checkpointHash) => _origins.TryGetValue(checkpointHash, out var origin) ? origin : null;

    public IReadOnlyList<SpecError> Validate(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);

        // Paths first: a refused path is never looked at.
        if (SpecPaths.Check(spec, options.Value) is { Count: > 0 } refused)
        {
            return refused;
        }

        spec = SpecPaths.Resolve(spec, options.Value);
        var errors = new List<SpecError>();
        if (spec.ModelSource is null && !ModelZoo.Names.Contains(spec.Model, StringComparer.Ordinal))
        {
            errors.Add(new("model", $"unknown model '{spec.Model}'; expected one of {string.Join(", ", ModelZoo.Names)}, or an object {{\"onnx\": path}}"));
        }

        var (_, dataInfo) = DataSourceResolver.Check(spec, errors);
        ModelSourceChecks.Check(spec, dataInfo, errors);

        if (spec.Baseline.CheckpointPath is { } path && !File.Exists(path + ".json") && !File.Exists(path))
        {
            errors.Add(new("baseline.checkpointPath", $"checkpoint '{path}' does not exist (expected the weights file with its '.json' metadata beside it)"));
        }

        if (spec.Baseline.CheckpointPath is null && spec.Baseline.Epochs < 1)
        {
            errors.Add(new("baseline.epochs", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {spec.Baseline.Epochs}")));
        }

        if (spec.Baseline.MaxTrainSamples is < 1)
        {
            errors.Add(new("baseline.maxTrainSamples", string.Create(CultureInfo.InvariantCulture, $"must be at least 1 or omitted for all, got {spec.Baseline.MaxTrainSamples}")));
        }

        if (spec.Baseline.MaxTestSamples is < 1)
        {
            errors.Add(new("baseline.maxTestSamples", string.Create(CultureInfo.InvariantCulture, $"must be at least 1 or omitted for all, got {spec.Baseline.MaxTestSamples}")));
        }

        try
        {
            var resolved = ResolveSettings(spec);
            resolved.Validate();
            var encoding = GenomeMaskMapper.EffectiveEncoding(spec, resolved.Mode);
            if (GenomeMaskMapper.IsLevelEncoding(encoding) && resolved.Mode != PruningMode.Structured)
            {
                errors.Add(new("search.encoding", $"encoding '{encoding}' needs evaluation.mode structured; use channelBits with mode '{spec.Evaluation.Mode}'"));
            }
        }
        catch (ArgumentException ex)
        {
            errors.Add(new("evaluation" + (ex.ParamName is { } p ? "." + char.ToLowerInvariant(p[0]) + p[1..] : ""), ex.Message));
        }

        return errors;
    }

    public Task<PreparedExperiment> PrepareAsync(ExperimentSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);

        // Training a baseline takes minutes: run it on a dedicated thread (TorchSharp state is thread-local), never on
        // the Orleans scheduler.
        spec = SpecPaths.Resolve(spec, options.Value);
        return Task.Factory.StartNew(
            () => Prepare(spec, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    public EvaluationOutcome Evaluate(EvaluationRequest request, SlotContext slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(slot);
        request = request with { Spec = SpecPaths.Resolve(request.Spec, options.Value) };
        var started = time.GetUtcNow();
        try
        {
            var warm = FidelitySettings.WarmStartFrom(_artifacts, request);
            var settings = request.FinalRecovery is { } recovery
                ? FinalRecoveryPlan.Settings(ResolveSettings(request.Spec), recovery, warm?.PriorSteps ?? 0)
                : FidelitySettings.At(ResolveSettings(request.Spec), request.Fidelity);
            TorchRuntime.EnsureInitialized(settings.Threads);
            var checkpoint = LoadCheckpoint(request.Prepared);
            if (DatasetRefusal(request.Prepared, checkpoint, slot.Silo) is { } refusal)
            {
                LogDatasetRefused(logger, request.MaskHash, refusal);
                return EvaluationOutcome.Failure("refused: " + refusal, slot.Silo, slot.Device) with
                {
                    Kind = FailureKind.Transient,
                    StartedAt = started,
                    CompletedAt = time.GetUtcNow(),
                };
            }

            var layout = Layout(request.Prepared);
            var genome = Genome.Parse(layout, request.MaskText);
            var mask = GenomeMaskMapper.ToPruneMask(genome, request.Prepared, settings);
            var device = TorchRuntime.SelectDevice(slot.Device);
            var export = FinalRecoveryPlan.ExportDirectory(options.Value.RecoveredModelsRoot, request);
            var result = export is null
                ? Evaluator.Evaluate(checkpoint, mask, settings, device, warm, cancellationToken)
                : Evaluator.EvaluateAndExport(checkpoint, mask, settings, device, export, warm, cancellationToken);
            if (settings.LearningRateSearch && result.Notes.FirstOrDefault(n => n.StartsWith("fine-tuning rate ", StringComparison.Ordinal)) is { } chosen
                && _rangeTestsLogged.TryAdd(checkpoint.ContentHash, 0))
            {
                LogLearningRateChosen(logger, checkpoint.ContentHash, chosen);
            }

            if (result.WeightsSha256 is { } weights)
            {
                _artifacts.SetReference(request.Key.Value, weights);
            }

            return new EvaluationOutcome
            {
                Succeeded = result.Succeeded,
                FailureReason = result.FailureReason,
                Metrics = result.Metrics,
                EnergySource = result.EnergySource,
                PhaseSeconds = result.PhaseSeconds,
                Device = result.Device,
                Silo = slot.Silo,
                StartedAt = started,
                CompletedAt = time.GetUtcNow(),
                ExportName = result.Succeeded && export is not null ? Path.GetFileName(export) : null,
            };
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidDataException or IOException or DatasetException or InvalidOperationException or InvalidMaskException)
        {
            LogEvaluationFailed(logger, request.MaskHash, ex.Message);
            return EvaluationOutcome.Failure($"{ex.GetType().Name}: {ex.Message}", slot.Silo, slot.Device) with { StartedAt = started, CompletedAt = time.GetUtcNow() };
        }
    }

    /// <summary>
    /// Re-evaluates one mask of a finished search and exports the shrunk model with its JSON model card. Synchronous and
    /// TorchSharp-bound: call it on a dedicated thread.
    /// </summary>
    public EvaluationResult ExportModel(ExperimentSpec spec, string maskText, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var prepared = Prepare(spec, cancellationToken);
        // The exported model card reports accuracy on the held-out test set, which the search itself never sees.
        var settings = FinalRecoveryPlan.Settings(ResolveSettings(spec), spec.FinalRecovery);
        var genome = Genome.Parse(Layout(prepared), maskText);
        return Evaluator.EvaluateAndExport(LoadCheckpoint(prepared), GenomeMaskMapper.ToPruneMask(genome, prepared, settings), settings, TorchRuntime.SelectDevice("auto"), directory, cancellationToken);
    }

    /// <summary>
    /// Final recovery of one mask of a finished search: longer fine-tuning (<see cref="ExperimentSpec.FinalRecovery"/>),
    /// scored on the held-out test set, timed like any evaluation; exported when <paramref name="exportDirectory"/> is set.
    /// Synchronous and TorchSharp-bound: call it on a dedicated thread.
    /// </summary>
    public EvaluationResult Recover(ExperimentSpec spec, string maskText, string? exportDirectory, CancellationToken cancellationToken) =>
        EvaluateMask(spec, maskText, s => FinalRecoveryPlan.Settings(s, spec.FinalRecovery), exportDirectory, cancellationToken);

    /// <summary>
    /// Evaluates one mask of <paramref name="spec"/>'s genome outside the grains (final recovery, re-measurement, baselines
    /// of the quality benchmark), with the spec's settings as changed by <paramref name="adjust"/>. Synchronous and
    /// TorchSharp-bound: call it on a dedicated thread.
    /// </summary>
    public EvaluationResult EvaluateMask(ExperimentSpec spec, string maskText, Func<EvaluationSettings, EvaluationSettings>? adjust, string? exportDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(maskText);
        var prepared = PrepareCached(spec, cancellationToken);
        var settings = ResolveSettings(spec);
        settings = adjust is null ? settings : adjust(settings);
        var mask = GenomeMaskMapper.ToPruneMask(Genome.Parse(Layout(prepared), maskText), prepared, settings);
        var device = TorchRuntime.SelectDevice("auto");
        return exportDirectory is null
            ? Evaluator.Evaluate(LoadCheckpoint(prepared), mask, settings, device, cancellationToken)
            : Evaluator.EvaluateAndExport(LoadCheckpoint(prepared), mask, settings, device, exportDirectory, cancellationToken);
    }

    /// <summary>The genome layout of <paramref name="spec"/> (prepares it once in this process).</summary>
    public GenomeLayout LayoutOf(ExperimentSpec spec, CancellationToken cancellationToken) => Layout(PrepareCached(spec, cancellationToken));

    /// <summary>The genome layout a prepare step produced.</summary>
    public GenomeLayout LayoutOfPrepared(PreparedExperiment prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return Layout(prepared);
    }

    /// <summary>Prepare once per spec content in this process (the baseline itself is cached on disk either way).</summary>
    public PreparedExperiment PrepareCached(ExperimentSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var key = System.Text.Json.JsonSerializer.Serialize(spec);
        lock (_prepared)
        {
            if (_prepared.TryGetValue(key, out var known))
            {
                return known;
            }
        }

        var prepared = Prepare(spec, cancellationToken);
        lock (_prepared)
        {
            _prepared[key] = prepared;
        }

        return prepared;
    }

    /// <summary>Maps the experiment's evaluation section onto the engine's settings; unset fields keep the engine's defaults.</summary>
    public EvaluationSettings ResolveSettings(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var e = spec.Evaluation;
        var defaults = new EvaluationSettings { Threads = options.Value.Threads };
        var mode = e.Mode is null ? defaults.Mode : ParseEnum<PruningMode>(e.Mode, "Mode");
        var levelEncoding = GenomeMaskMapper.IsLevelEncoding(GenomeMaskMapper.EffectiveEncoding(spec, mode));
        return defaults with
        {
            FineTuneSteps = e.FineTuneSteps ?? defaults.FineTuneSteps,
            RecalibrationBatches = e.RecalibrationBatches ?? defaults.RecalibrationBatches,
            LearningRate = e.LearningRate ?? defaults.LearningRate,

            // Imported graphs come with BatchNorm folded and weights of unknown scale: without a rate in the spec, a range
            // test on the unpruned model picks one (issue #30: 2e-3 took an imported ResNet from 74 % to 29 % in 50 steps).
            LearningRateSearch = e.LearningRate is null && spec.ModelSource?.Onnx is not null,
            WarmupFraction = e.WarmupFraction ?? defaults.WarmupFraction,
            BatchSize = e.BatchSize ?? defaults.BatchSize,
            Optimizer = e.Optimizer is null ? defaults.Optimizer : ParseEnum<OptimizerKind>(e.Optimizer, "Optimizer"),
            DistillationWeight = e.DistillationWeight ?? defaults.DistillationWeight,
            ValidationSamples = e.ValidationSamples ?? defaults.ValidationSamples,
            LatencyBatchSize = e.LatencyBatchSize ?? defaults.LatencyBatchSize,
            LatencyRuns = e.LatencyRuns ?? defaults.LatencyRuns,
            LatencyWarmup = e.LatencyWarmup ?? defaults.LatencyWarmup,
            EnergyWindow = e.EnergyWindow is { } ms ? TimeSpan.FromMilliseconds(ms) : defaults.EnergyWindow,
            RoundChannelsTo = e.RoundChannelsTo ?? (levelEncoding ? GenomeMaskMapper.DefaultLevelRounding : defaults.RoundChannelsTo),
            Mode = mode,
            LatencyMaxRuns = e.LatencyMaxRuns ?? defaults.LatencyMaxRuns,
            LatencyTargetCiPercent = e.LatencyTargetCiPercent ?? defaults.LatencyTargetCiPercent,
            LatencyMaxSeconds = e.LatencyMaxSeconds ?? defaults.LatencyMaxSeconds,
            ExclusiveTiming = e.ExclusiveTiming ?? defaults.ExclusiveTiming,
            Importance = e.Importance is null ? defaults.Importance : ParseEnum<ImportanceCriterion>(e.Importance, "Importance"),
            ImportanceBatches = e.ImportanceBatches ?? defaults.ImportanceBatches,
            LatencyReference = e.LatencyReference is null ? defaults.LatencyReference : ParseEnum<Pruning.Metrics.LatencyReference>(e.LatencyReference, "LatencyReference"),
            SparsityLevels = e.SparsityLevels ?? defaults.SparsityLevels,
            Seed = e.Seed ?? spec.Search.Seed,
            Threads = e.Threads ?? defaults.Threads,
        };
    }

    /// <summary>
    /// The baseline training a spec asks for, its data set resolved as the search resolves it (by name, or by format and folder):
    /// what the prepare step trains and what 'train' trains, so both use one cache entry. Throws <see cref="ArgumentException"/>
    /// naming the field when the data set is unknown.
    /// </summary>
    public BaselineTrainingSettings BaselineTraining(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var descriptor = DataSourceResolver.Resolve(spec, out var dataError) ?? throw new ArgumentException($"{dataError!.Field}: {dataError.Message}", nameof(spec));
        return new BaselineTrainingSettings
        {
            Model = spec.Model,
            Dataset = spec.DatasetSource is null ? spec.Dataset : descriptor.DisplayName,
            DataRoot = spec.DataRoot,
            Source = spec.DatasetSource is null ? null : descriptor,
            ValidationSize = spec.DatasetSource is null ? descriptor.ResolveValidation(DatasetCatalog.Probe(descriptor).TrainCount) : DatasetDescriptor.DefaultValidationCap,
            Epochs = spec.Baseline.Epochs,
            Seed = unchecked((long)spec.Baseline.Seed),
            Threads = ResolveSettings(spec).Threads,
            MaxTrainSamples = spec.Baseline.MaxTrainSamples,
            MaxTestSamples = spec.Baseline.MaxTestSamples,
        };
    }

    private PreparedExperiment Prepare(ExperimentSpec spec, CancellationToken cancellationToken)
    {
        var settings = ResolveSettings(spec);
        TorchRuntime.EnsureInitialized(settings.Threads);
        BaselineCheckpoint checkpoint;
        BaselineTrainingSettings? trained = null;
        var origin = OriginGiven;
        if (spec.ModelSource?.Onnx is { } onnx)
        {
            var descriptor = DataSourceResolver.Resolve(spec, out var dataError) ?? throw new ArgumentException(dataError!.Message, nameof(spec));
            checkpoint = OnnxBaseline.Import(onnx, descriptor, spec.Baseline.CacheDirectory ?? options.Value.CheckpointCacheDirectory, _datasets, maxTestSamples: spec.Baseline.MaxTestSamples, progress: message => LogBaselineProgress(logger, message), ct: cancellationToken);
        }
        else if (spec.ModelSource?.Weights is { } weights)
        {
            var descriptor = DataSourceResolver.Resolve(spec, out var dataError) ?? throw new ArgumentException(dataError!.Message, nameof(spec));
            checkpoint = PyTorchBaseline.Import(weights, spec.ModelSource.Zoo ?? spec.Model, descriptor, spec.Baseline.CacheDirectory ?? options.Value.CheckpointCacheDirectory, _datasets, maxTestSamples: spec.Baseline.MaxTestSamples, progress: message => LogBaselineProgress(logger, message), ct: cancellationToken);
        }
        else if (spec.Baseline.CheckpointPath is { } path)
        {
            var metadata = path.EndsWith(".json", StringComparison.Ordinal) ? path : path + ".json";
            checkpoint = BaselineCheckpoint.Load(metadata);
            checkpoint.Verify();
        }
        else
        {
            var training = BaselineTraining(spec);
            trained = training;
            var cache = spec.Baseline.CacheDirectory ?? options.Value.CheckpointCacheDirectory;
            origin = OriginTrained;
            var weightsPath = BaselineTrainer.CachedWeightsPath(training, cache);
            if (File.Exists(weightsPath) && File.Exists(weightsPath + ".json"))
            {
                origin = OriginCached;
            }
            else
            {
                Directory.CreateDirectory(cache);
                if (CheckpointArtifacts.TryFetch(_artifacts, CheckpointArtifacts.BySettings(training.ContentHash), weightsPath) is { } fetched)
                {
                    origin = OriginFetched;
                    LogBaselineFetched(logger, fetched.ContentHash, _artifacts.ToString() ?? "", weightsPath);
                }
            }

            checkpoint = BaselineTrainer.TrainOrLoad(training, cache, message => LogBaselineProgress(logger, message), _datasets, cancellationToken);
        }

        _origins.TryAdd(checkpoint.ContentHash, origin);
        CheckpointArtifacts.Publish(_artifacts, checkpoint);
        _checkpoints[checkpoint.ContentHash] = checkpoint;
        var data = checkpoint.LoadData(_datasets);
        var architecture = checkpoint.ResolveArchitecture(data);
        IReadOnlyList<PrunableGroup> groups;
        IReadOnlyDictionary<string, double[]> importance;
        using (var model = ModelZoo.Load(architecture, checkpoint.Path))
        {
            groups = ModelSourceChecks.WithoutExcluded(PruningStructure.Analyze(model), model, spec.ModelSource?.Exclude ?? []);
            importance = Importance.Scores(model, settings.Importance, new ImportanceOptions { Data = data.Train, Batches = settings.ImportanceBatches, BatchSize = settings.BatchSize, Seed = settings.Seed });
        }

        var encoding = GenomeMaskMapper.EffectiveEncoding(spec, settings.Mode);
        var keepLevels = GenomeMaskMapper.KeepLevels(spec);
        var minChannels = GenomeMaskMapper.MinChannels(spec);
        var segments = GenomeMaskMapper.Segments(groups, encoding, keepLevels, settings, minChannels);

        // The unpruned model measured like any individual (no fine-tuning) on this device: the reference for accuracy
        // drop, hypervolume and the report's baseline row.
        var device = TorchRuntime.SelectDevice("auto");
        var unpruned = Evaluator.Evaluate(checkpoint, PruneMask.Full(groups), settings with { FineTuneSteps = 0 }, device, cancellationToken);
        var baseline = new Dictionary<string, double>(StringComparer.Ordinal);
        if (unpruned.Succeeded)
        {
            foreach (var (name, value) in unpruned.Metrics)
            {
                baseline[name] = value;
            }
        }

        var trainedImages = trained is null ? 0 : Math.Min(trained.MaxTrainSamples ?? data.Train.Count, data.Train.Count);
        var warnings = DataQualityWarnings.For(
            data.Validation,
            settings.ValidationSamples,
            trained is null ? null : (DataQualityWarnings.Steps(trained.Epochs, trainedImages, trained.BatchSize), trained.Epochs, trainedImages, trained.BatchSize));
        foreach (var warning in warnings)
        {
            LogDataWarning(logger, warning);
        }

        baseline[MetricNames.Accuracy] = unpruned.Succeeded && unpruned.Metrics.TryGetValue(MetricNames.Accuracy, out var accuracy) ? accuracy : checkpoint.ValidationAccuracy;
        baseline["test_accuracy"] = checkpoint.TestAccuracy;
        return new PreparedExperiment
        {
            Segments = segments,
            CheckpointHash = checkpoint.ContentHash,
            SettingsHash = settings.ContentHash,
            CheckpointPath = checkpoint.Path,
            BaselineMetrics = baseline,
            SegmentImportance = importance,
            DatasetHash = PinDataset(checkpoint),
            PreparedOn = device.ToString(),
            Encoding = encoding,
            KeepLevels = GenomeMaskMapper.IsLevelEncoding(encoding) ? keepLevels : 0,
            LevelCounts = GenomeMaskMapper.IsLevelEncoding(encoding) ? GenomeMaskMapper.LevelCounts(groups, keepLevels, settings, minChannels) : null,
            Warnings = warnings,
        };
    }

    private BaselineCheckpoint LoadCheckpoint(PreparedExperiment prepared)
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
        var local = Path.Combine(options.Value.CheckpointCacheDirectory, "fetched", prepared.CheckpointHash + ".bin");
        if (File.Exists(local) && File.Exists(local + ".json"))
        {
            try
            {
                _origins.TryAdd(prepared.CheckpointHash, OriginCached);
                return _checkpoints.GetOrAdd(prepared.CheckpointHash, BaselineCheckpoint.Load(local + ".json") with { Path = local });
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or System.Text.Json.JsonException)
            {
                LogFetchedCheckpointUnusable(logger, local, ex.Message);
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        if (CheckpointArtifacts.TryFetch(_artifacts, CheckpointArtifacts.ByHash(prepared.CheckpointHash), local) is { } fetched)
        {
            LogBaselineFetched(logger, fetched.ContentHash, _artifacts.ToString() ?? "", local);
            _origins.TryAdd(fetched.ContentHash, OriginFetched);
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
    private string? PinDataset(BaselineCheckpoint checkpoint)
    {
        if (DatasetPin.RootOf(checkpoint.Dataset, checkpoint.DataRoot, checkpoint.Source) is not { } root || !Directory.Exists(root))
        {
            return null;
        }

        return _artifacts.Put(System.Text.Encoding.UTF8.GetBytes(DatasetPin.ManifestText(DatasetPin.Compute(root))));
    }

    /// <summary>Null when this silo's copy of the data matches what the experiment pinned (or nothing was pinned), else why not.</summary>
    private string? DatasetRefusal(PreparedExperiment prepared, BaselineCheckpoint checkpoint, string silo)
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
        return _artifacts.Get(pinned) is { } manifest && DatasetPin.Mismatch(DatasetPin.ParseManifest(System.Text.Encoding.UTF8.GetString(manifest)), root, silo) is { } file
            ? file
            : $"data set folder '{Path.GetFullPath(root)}' on silo {silo} has content SHA-256 {actual}, the experiment pinned {pinned}";
    }

    private GenomeLayout Layout(PreparedExperiment prepared)
    {
        var key = string.Join('|', prepared.Segments.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name}:{s.Bits}:{s.IntGenes}:{s.IntGeneMax}:{s.MinKeep}")));
        return _layouts.GetOrAdd(key, _ => Grains.EvolutionMapping.Layout(prepared));
    }

    private static T ParseEnum<T>(string text, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value)
            ? value
            : throw new ArgumentException($"'{text}' is not a valid {field}; expected one of {string.Join(", ", Enum.GetNames<T>()).ToLowerInvariant()}", field);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Message}")]
    private static partial void LogBaselineProgress(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Baseline checkpoint {CheckpointHash} fetched from the artifact store ({Store}) into '{Path}'")]
    private static partial void LogBaselineFetched(ILogger logger, string checkpointHash, string store, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetched checkpoint '{Path}' is unusable ({Reason}); fetching it again")]
    private static partial void LogFetchedCheckpointUnusable(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation of mask {MaskHash} refused: {Reason}")]
    private static partial void LogDatasetRefused(ILogger logger, string maskHash, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint {CheckpointHash}: {Choice}")]
    private static partial void LogLearningRateChosen(ILogger logger, string checkpointHash, string choice);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data warning: {Warning}")]
    private static partial void LogDataWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation of mask {MaskHash} failed: {Reason}")]
    private static partial void LogEvaluationFailed(ILogger logger, string maskHash, string reason);
}
