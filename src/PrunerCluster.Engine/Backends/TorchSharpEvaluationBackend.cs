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

namespace PrunerCluster.Engine.Backends;

/// <summary>
/// The product evaluation backend: the TorchSharp pruning engine. Prepares a baseline checkpoint (trained once, cached on
/// disk by its settings hash) and evaluates masks by physically shrinking, fine-tuning and measuring the model. Its host gives it the
/// data set cache and device gates it shares (<paramref name="host"/>, a singleton of the silo's services); a backend built without
/// them owns a set of its own.
/// </summary>
public sealed partial class TorchSharpEvaluationBackend(
    IOptions<TorchSharpBackendOptions> options,
    TimeProvider time,
    ILogger<TorchSharpEvaluationBackend> logger,
    IArtifactStore? artifacts = null,
    PruningHostServices? host = null) : IEvaluationBackend
{
    public const string BackendName = "torchsharp";

    /// <summary>How a prepare step obtained its baseline checkpoint (see <see cref="BaselineOrigin"/>).</summary>
    public const string OriginTrained = "trained";
    public const string OriginCached = "cached";
    public const string OriginFetched = "fetched";
    public const string OriginGiven = "given";

    private readonly BaselineCheckpoints _baselines = new(options.Value, artifacts ?? new LocalArtifactStore(options.Value.ResolvedArtifactDirectory), host ?? new PruningHostServices(), logger);
    private PruningEvaluator? _evaluator;
    private readonly ConcurrentDictionary<string, GenomeLayout> _layouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PreparedExperiment> _prepared = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _rangeTestsLogged = new(StringComparer.Ordinal);

    public string Name => BackendName;

    /// <summary>The artifact store this backend writes fine-tuned weights and baseline checkpoints to and reads them from.</summary>
    public IArtifactStore Artifacts => _baselines.Artifacts;

    /// <summary>The data set cache, device gates and reference calibration this backend runs with.</summary>
    public PruningHostServices Host => _baselines.Host;

    private PruningEvaluator Evaluator => LazyInitializer.EnsureInitialized(ref _evaluator, () => new PruningEvaluator(_baselines.Host, _baselines.Artifacts));

    /// <summary>How this process obtained the baseline checkpoint <paramref name="checkpointHash"/> (trained, cached, fetched from the artifact store, given), or null.</summary>
    public string? BaselineOrigin(string checkpointHash) => _baselines.Origin(checkpointHash);

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
        ModelSourceChecks.Check(spec, dataInfo, errors, options.Value);

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

    public Task<PreparedExperiment> PrepareAsync(ExperimentSpec spec, CancellationToken cancellationToken) =>
        PrepareAsync(spec, null, cancellationToken);

    public Task<PreparedExperiment> PrepareAsync(ExperimentSpec spec, IProgress<PreparationProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);

        // Training a baseline takes minutes: run it on a dedicated thread (TorchSharp state is thread-local), never on
        // the Orleans scheduler.
        spec = SpecPaths.Resolve(spec, options.Value);
        return Task.Factory.StartNew(
            () => Prepare(spec, progress, cancellationToken),
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
            var warm = FidelitySettings.WarmStartFrom(_baselines.Artifacts, request);
            var settings = request.FinalRecovery is { } recovery
                ? FinalRecoveryPlan.Settings(ResolveSettings(request.Spec), recovery, warm?.PriorSteps ?? 0)
                : FidelitySettings.At(ResolveSettings(request.Spec), request.Fidelity);
            TorchRuntime.EnsureInitialized(settings.Threads);
            var checkpoint = _baselines.Load(request.Prepared);
            if (_baselines.DatasetRefusal(request.Prepared, checkpoint, slot.Silo) is { } refusal)
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
                _baselines.Artifacts.SetReference(request.Key.Value, weights);
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
        var prepared = Prepare(spec, null, cancellationToken);
        // The exported model card reports accuracy on the held-out test set, which the search itself never sees.
        var settings = FinalRecoveryPlan.Settings(ResolveSettings(spec), spec.FinalRecovery);
        var genome = Genome.Parse(Layout(prepared), maskText);
        return Evaluator.EvaluateAndExport(_baselines.Load(prepared), GenomeMaskMapper.ToPruneMask(genome, prepared, settings), settings, TorchRuntime.SelectDevice("auto"), directory, cancellationToken);
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
            ? Evaluator.Evaluate(_baselines.Load(prepared), mask, settings, device, cancellationToken)
            : Evaluator.EvaluateAndExport(_baselines.Load(prepared), mask, settings, device, exportDirectory, cancellationToken);
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

        var prepared = Prepare(spec, null, cancellationToken);
        lock (_prepared)
        {
            _prepared[key] = prepared;
        }

        return prepared;
    }

    /// <summary>Maps the experiment's evaluation section onto the engine's settings; unset fields keep the engine's defaults.</summary>
    public EvaluationSettings ResolveSettings(ExperimentSpec spec) => SpecSettings.Resolve(spec, options.Value.Threads);

    /// <summary>The baseline training a spec asks for (see <see cref="SpecSettings.BaselineTraining"/>).</summary>
    public BaselineTrainingSettings BaselineTraining(ExperimentSpec spec) => SpecSettings.BaselineTraining(spec, options.Value.Threads);

    private PreparedExperiment Prepare(ExperimentSpec spec, IProgress<PreparationProgress>? progress, CancellationToken cancellationToken)
    {
        var settings = ResolveSettings(spec);
        TorchRuntime.EnsureInitialized(settings.Threads);
        var phase = $"baseline {spec.Model} on {spec.Dataset}";
        var (checkpoint, trained) = _baselines.Acquire(spec, settings, progress is null ? null : p => progress.Report(new PreparationProgress
        {
            Phase = phase,
            Step = p.Step,
            TotalSteps = p.Steps,
            Epoch = p.Epoch,
            TotalEpochs = p.Epochs,
            Loss = p.Loss,
            ElapsedSeconds = p.Elapsed.TotalSeconds,
        }), cancellationToken);
        var data = checkpoint.WithNormalization(settings.Normalization).LoadData(_baselines.Datasets);
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
            DatasetHash = _baselines.PinDataset(checkpoint),
            PreparedOn = device.ToString(),
            Encoding = encoding,
            KeepLevels = GenomeMaskMapper.IsLevelEncoding(encoding) ? keepLevels : 0,
            LevelCounts = GenomeMaskMapper.IsLevelEncoding(encoding) ? GenomeMaskMapper.LevelCounts(groups, keepLevels, settings, minChannels) : null,
            Warnings = warnings,
            InputNormalization = PrunerCluster.Pruning.Data.InputNormalization.Applied(settings.Normalization, data.Train).ToString(),
        };
    }

    private GenomeLayout Layout(PreparedExperiment prepared)
    {
        var key = string.Join('|', prepared.Segments.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name}:{s.Bits}:{s.IntGenes}:{s.IntGeneMax}:{s.MinKeep}")));
        return _layouts.GetOrAdd(key, _ => Grains.EvolutionMapping.Layout(prepared));
    }





    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation of mask {MaskHash} refused: {Reason}")]
    private static partial void LogDatasetRefused(ILogger logger, string maskHash, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint {CheckpointHash}: {Choice}")]
    private static partial void LogLearningRateChosen(ILogger logger, string checkpointHash, string choice);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data warning: {Warning}")]
    private static partial void LogDataWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation of mask {MaskHash} failed: {Reason}")]
    private static partial void LogEvaluationFailed(ILogger logger, string maskHash, string reason);
}
