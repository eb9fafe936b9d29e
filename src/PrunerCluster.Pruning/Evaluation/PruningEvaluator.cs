using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Export;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Evaluation;

/// <summary>
/// Evaluates one prune mask: load the checkpoint, apply the mask (physical shrink and/or magnitude sparsity), re-estimate the BatchNorm statistics, fine-tune, validate, time and
/// estimate energy. Synchronous: call it on a dedicated thread per device slot (TorchSharp grad mode, dispose scopes and device are thread-local).
/// Bad masks, divergence and out-of-memory (after one retry at half batch) come back as failed results; only cancellation, a failing
/// artifact store (<see cref="ArtifactStoreException"/>) and null arguments throw.
/// Thread-safe: one instance may serve several slot threads; it caches datasets (via <see cref="DatasetCache"/>) and unpruned accuracies.
/// </summary>
public sealed class PruningEvaluator(DatasetCache? cache = null, IArtifactStore? artifacts = null)
{
    private readonly DatasetCache datasets = cache ?? DatasetCache.Shared;
    private readonly ConcurrentDictionary<string, double> baselineAccuracy = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LearningRateChoice> learningRates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTime Stamp, long Length, string Hash)> verifiedHashes = new(StringComparer.Ordinal);

    public EvaluationResult Evaluate(BaselineCheckpoint checkpoint, PruneMask mask, EvaluationSettings settings, Device device, CancellationToken ct = default) =>
        Run(checkpoint, mask, settings, device, exportDirectory: null, ct);

    /// <summary>As <see cref="Evaluate(BaselineCheckpoint, PruneMask, EvaluationSettings, Device, CancellationToken)"/>, continuing from <paramref name="warm"/> (null = from the baseline) for the steps it still lacks.</summary>
    public EvaluationResult Evaluate(BaselineCheckpoint checkpoint, PruneMask mask, EvaluationSettings settings, Device device, WarmStart? warm, CancellationToken ct = default) =>
        Run(checkpoint, mask, settings, device, exportDirectory: null, ct, warm);

    /// <summary>As <see cref="Evaluate"/>, then saves the pruned, fine-tuned model and its model card to <paramref name="exportDirectory"/>.</summary>
    public EvaluationResult EvaluateAndExport(BaselineCheckpoint checkpoint, PruneMask mask, EvaluationSettings settings, Device device, string exportDirectory, CancellationToken ct = default) =>
        EvaluateAndExport(checkpoint, mask, settings, device, exportDirectory, null, ct);

    /// <summary><see cref="EvaluateAndExport(BaselineCheckpoint, PruneMask, EvaluationSettings, Device, string, CancellationToken)"/> continuing from <paramref name="warm"/> weights.</summary>
    public EvaluationResult EvaluateAndExport(BaselineCheckpoint checkpoint, PruneMask mask, EvaluationSettings settings, Device device, string exportDirectory, WarmStart? warm, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exportDirectory);
        return Run(checkpoint, mask, settings, device, exportDirectory, ct, warm);
    }

    private EvaluationResult Run(BaselineCheckpoint checkpoint, PruneMask mask, EvaluationSettings settings, Device device, string? exportDirectory, CancellationToken ct, WarmStart? warm = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(device);
        var context = new RunContext(checkpoint, mask, settings, device, exportDirectory) { Warm = warm };
        var total = Stopwatch.StartNew();
        try
        {
            settings.Validate();
            TorchRuntime.EnsureInitialized(settings.Threads);
            var data = context.Time("load", () => checkpoint.LoadData(datasets));
            try
            {
                Attempt(context, data, settings.BatchSize, settings.LatencyBatchSize, ct);
            }
            catch (Exception e) when (IsOutOfMemory(e) && settings.BatchSize > 1)
            {
                context.Notes.Add($"out of memory{context.InPhase} ({FirstLine(e.Message)}); retried once with batch {Math.Max(1, settings.BatchSize / 2)} and latency batch {Math.Max(1, settings.LatencyBatchSize / 2)}");
                context.Metrics.Clear();
                context.FailedPhase = null;
                Attempt(context, data, Math.Max(1, settings.BatchSize / 2), Math.Max(1, settings.LatencyBatchSize / 2), ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ArtifactStoreException)
        {
            throw;
        }
        catch (InvalidMaskException e)
        {
            context.Failure = "invalid mask: " + e.Message;
        }
        catch (ArgumentException e)
        {
            context.Failure = "invalid input: " + e.Message;
        }
        catch (DatasetException e)
        {
            context.Failure = "dataset: " + e.Message;
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            context.Failure = $"out of memory{context.InPhase} after retry at half batch: " + FirstLine(e.Message);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ExternalException or InvalidOperationException)
        {
            context.Failure = $"{e.GetType().Name}{context.InPhase}: {FirstLine(e.Message)}";
        }

        context.Phases["total"] = total.Elapsed.TotalSeconds;
        return context.ToResult();
    }

    private void Attempt(RunContext c, DataSplit data, int batchSize, int latencyBatch, CancellationToken ct)
    {
        var s = c.Settings;
        var evalSet = s.UseTestSet ? data.Test : data.Validation;
        var samples = Math.Min(s.ValidationSamples, evalSet.Count);
        var gate = DeviceGate.For(c.Device.ToString());
        ZooModel? source = null;
        ZooModel? pruned = null;
        SparsityState? sparsity = null;
        try
        {
            source = c.Time("load", () =>
            {
                VerifyCheckpoint(c.Checkpoint);
                return LoadSource(c, data);
            });
            var baselineKey = string.Join('|', c.Checkpoint.ContentHash, s.UseTestSet ? "test" : "validation", samples.ToString(CultureInfo.InvariantCulture), s.Threads.ToString(CultureInfo.InvariantCulture));
            var baseAccuracy = c.Time("baseline", () => baselineAccuracy.GetOrAdd(baselineKey, _ => ClassificationMetrics.Evaluate(source, evalSet, samples, ct: ct, gate: gate).Accuracy));
            var baseMacs = source.Macs;

            var resolved = c.Time("apply", () => MaskApplier.Resolve(source, c.Mask, s.EmptyGroups, s.RoundChannelsTo));
            c.Notes.AddRange(resolved.Notes);
            var sparsityFractions = SparsityFractions(c.Mask, s, source);
            (pruned, sparsity, var kept) = c.Time("apply", () =>
            {
                var keptIndices = resolved.Kept;
                ZooModel model;
                if (s.Mode == PruningMode.Unstructured)
                {
                    if (resolved.Kept.Any(k => k.Value.Length < source.Architecture.Width(k.Key)))
                    {
                        c.Notes.Add("unstructured mode: keep-bits ignored, only sparsity levels apply");
                    }

                    keptIndices = source.Architecture.Widths.ToDictionary(w => w.Group, w => Enumerable.Range(0, w.Units).ToArray(), StringComparer.Ordinal);
                    model = MaskApplier.Clone(source);
                }
                else
                {
                    model = MaskApplier.Shrink(source, keptIndices);
                }

                try
                {
                    var state = s.Mode == PruningMode.Structured ? null : MaskApplier.ApplySparsity(model, sparsityFractions);
                    return (model, state, keptIndices);
                }
                catch
                {
                    model.Dispose();
                    throw;
                }
            });
            c.Kept = kept;
            c.PrunedArchitecture = pruned.Architecture;
            c.SparsityFractions = sparsityFractions;
            var steps = s.FineTuneSteps - WarmStartSteps(c, pruned);
            var forwardSamples = steps == s.FineTuneSteps ? Recalibrate(c, source, pruned, data.Train, batchSize, gate, ct) : 0.0;

            Teacher? teacher = null;
            if (s.DistillationWeight > 0 && steps > 0)
            {
                teacher = TeacherLogits.Fits(data.Train)
                    ? new Teacher(null, c.Time("teacher", () => TeacherLogits.For(source, data.Train, c.Checkpoint.ContentHash, gate, ct)))
                    : new Teacher(source, null);
            }

            var rate = s.LearningRate;
            if (s.LearningRateSearch && steps > 0)
            {
                // Sparsity modes fine-tune the deployed weights (their masks refer to them), so their probes do too.
                var probe = s.Mode == PruningMode.Structured ? s : s with { RebuildBatchNorm = BatchNormRebuild.Off };
                var key = string.Join('|', c.Checkpoint.ContentHash, s.LearningRate.ToString("R", CultureInfo.InvariantCulture), s.Optimizer, s.DistillationWeight.ToString("R", CultureInfo.InvariantCulture), s.DistillationTemperature.ToString("R", CultureInfo.InvariantCulture), probe.RebuildBatchNorm, s.RecalibrationBatches.ToString(CultureInfo.InvariantCulture), batchSize.ToString(CultureInfo.InvariantCulture), s.Seed.ToString(CultureInfo.InvariantCulture), s.Threads.ToString(CultureInfo.InvariantCulture));
                var unpruned = source;
                var choice = c.Time("lr_search", () => learningRates.GetOrAdd(key, _ => LearningRateRangeTest.Run(unpruned, data.Train, data.Validation, probe, batchSize, teacher, gate, ct)));
                rate = choice.Rate;
                c.Notes.Add(choice.Describe());
            }

            var teacherOnline = teacher?.Model is not null;
            if (teacher?.Model is null)
            {
                source.Dispose();
                source = null;
            }

            if (steps > 0)
            {
                c.Metrics[MetricNames.FineTuneLearningRate] = rate;
            }

            var outcome = FineTuning.Run(
                pruned,
                data.Train,
                s,
                new FineTuneOptions
                {
                    Steps = steps,
                    BatchSize = batchSize,
                    LearningRate = rate,
                    WarmupSteps = (int)Math.Round(s.WarmupFraction * steps, MidpointRounding.AwayFromZero),
                    Optimizer = s.Optimizer,
                    DistillationWeight = s.DistillationWeight,
                    DistillationTemperature = s.DistillationTemperature,
                    Seed = s.Seed,
                },
                teacher,
                sparsity,
                c.Notes.Add,
                (phase, action) => c.Time(phase, () =>
                {
                    action();
                    return 0;
                }),
                gate,
                ct);
            source?.Dispose();
            source = null;
            if (!double.IsNaN(outcome.FinalLoss))
            {
                c.Metrics[MetricNames.FineTuneLoss] = outcome.FinalLoss;
            }

            if (outcome.Rollbacks > 0)
            {
                var why = ConvolutionBackend.DisabledReason is { } reason ? $"; convolutions run on libtorch's native kernels in this process since {reason}"
                    : ConvolutionBackend.PaddingReason is { } padded ? $"; convolutions pad channel counts to blocks of {ConvolutionBackend.ChannelBlock} in this process since {padded}" : "";
                c.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"fine-tuning: {outcome.Rollbacks} step(s) with non-finite values undone and replayed{why}"));
            }

            if (outcome.Diverged)
            {
                c.Failure = "fine-tuning diverged: " + outcome.Reason;
                return;
            }

            var report = c.Time("validate", () => ClassificationMetrics.Evaluate(pruned, evalSet, samples, ct: ct, gate: gate));
            c.Metrics[MetricNames.ComputeTrainSamples] = (double)steps * batchSize;
            c.Metrics[MetricNames.ComputeForwardSamples] = forwardSamples + samples + (teacherOnline ? (double)steps * batchSize : 0);
            c.Metrics[MetricNames.Accuracy] = report.Accuracy;
            c.Metrics[MetricNames.BaselineAccuracy] = baseAccuracy;
            c.Metrics[MetricNames.AccuracyDrop] = (baseAccuracy - report.Accuracy) * 100.0;
            c.Metrics[MetricNames.MacroF1] = report.MacroF1;
            for (var k = 0; k < report.PerClassRecall.Count; k++)
            {
                c.Metrics[MetricNames.ClassRecall(k)] = report.PerClassRecall[k];
            }

            c.PerClassRecall = report.PerClassRecall;
            if (artifacts is not null)
            {
                c.WeightsSha256 = c.Time("store", () => StoreWeights(artifacts, pruned));
            }

            var footprint = c.Time("apply", () => ModelFootprint.Of(pruned));
            c.Metrics[MetricNames.Macs] = footprint.Macs;
            c.Metrics[MetricNames.Flops] = 2.0 * footprint.Macs;
            c.Metrics[MetricNames.Params] = footprint.Parameters;
            c.Metrics[MetricNames.EffectiveMacs] = footprint.EffectiveMacs;
            c.Metrics[MetricNames.NonzeroParams] = footprint.NonzeroParameters;
            c.Metrics[MetricNames.SizeBytes] = footprint.SizeBytes;
            c.Metrics[MetricNames.BaselineMacs] = baseMacs;
            c.Metrics[MetricNames.MacRatio] = (double)footprint.Macs / baseMacs;
            c.Metrics[MetricNames.KeptFraction] = (double)kept.Values.Sum(k => k.Length) / c.Checkpoint.ResolveArchitecture(data).Widths.Sum(w => w.Units);
            c.Metrics[MetricNames.PeakMemoryBytes] = (footprint.Parameters * sizeof(float)) + ((double)footprint.PeakActivationBytesPerSample * latencyBatch);

            using var scope = torch.NewDisposeScope();
            var positions = Enumerable.Range(0, latencyBatch).Select(i => i % evalSet.Count).ToArray();
            var (input, _) = evalSet.GetBatch(positions, c.Device);
            using var timedModel = c.Time("apply", () => InferenceForm.Fold(pruned));
            using var reference = s.LatencyReference == LatencyReference.Unpruned ? c.Time("load", () => LoadInferenceReference(c, data)) : null;
            var (latency, energy, energySource) = c.Time("latency", () =>
            {
                using var window = s.ExclusiveTiming ? TimingWindow.Open(c.Device, s.Threads, ct) : null;
                using var kernels = window is not null && c.Device.type == DeviceType.CPU ? ConvolutionBackend.OptimizedForTiming() : null;
                if (window is not null)
                {
                    c.Phases["timing_wait"] = window.Waited.TotalSeconds;
                }

                var timed = reference is null
                    ? TimedLatency.Alone(LatencyMeter.Measure(timedModel, input, s.LatencyPolicy, ct))
                    : TimedLatency.Paired(
                        LatencyMeter.MeasurePaired(timedModel, reference, input, s.LatencyPolicy, ct),
                        ReferenceCalibration.Key(c.Checkpoint.ContentHash, c.Device.ToString() + (ConvolutionBackend.OneDnnEnabled ? "" : "/native"), s.Threads, latencyBatch));
                var (mj, source) = c.Time("energy", () => MeasureEnergy(timedModel, input, c.Device, s.EnergyWindow, ct));
                return (timed, mj, source);
            });
            c.Metrics[MetricNames.LatencyMs] = latency.MedianMs;
            c.Metrics[MetricNames.LatencyP90Ms] = latency.P90Ms;
            c.Metrics[MetricNames.LatencyRawMs] = latency.RawMedianMs;
            c.Metrics[MetricNames.Throughput] = latencyBatch / (latency.MedianMs / 1000.0);
            if (latency.Ratio is { } ratio)
            {
                c.Metrics[MetricNames.LatencyRatio] = ratio;
                c.Metrics[MetricNames.LatencyReferenceMs] = latency.ReferenceMs;
            }

            if (double.IsFinite(latency.CiHalfWidthPercent))
            {
                c.Metrics[MetricNames.LatencyCiPercent] = latency.CiHalfWidthPercent;
            }

            c.Metrics[MetricNames.LatencyCv] = latency.CoefficientOfVariation;
            c.Metrics[MetricNames.LatencyRuns] = latency.Runs;
            c.Metrics[MetricNames.LatencyThreads] = latency.Threads;
            if (!latency.Converged)
            {
                c.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"latency: confidence target +-{s.LatencyTargetCiPercent}% not reached after {latency.Runs} runs (+-{latency.CiHalfWidthPercent:F1}%)"));
            }

            c.EnergySource = energySource;
            c.Metrics[MetricNames.EnergyMj] = energy ?? EnergyModel.MillijoulesPerInference(footprint, latencyBatch);

            if (c.ExportDirectory is { } dir)
            {
                c.Time("export", () =>
                {
                    var card = new ModelCard
                    {
                        Model = pruned.Architecture.Kind,
                        Dataset = c.Checkpoint.Dataset,
                        DataRoot = c.Checkpoint.DataRoot,
                        DatasetSource = c.Checkpoint.Source,
                        Architecture = pruned.Architecture,
                        SourceArchitecture = c.Checkpoint.ResolveArchitecture(data),
                        KeptIndices = kept,
                        SparsityFractions = sparsityFractions,
                        Mode = s.Mode.ToString(),
                        Metrics = new Dictionary<string, double>(c.Metrics),
                        MetricSources = c.Sources(),
                        EnergySource = c.EnergySource,
                        Device = c.Device.ToString(),
                        Seed = s.Seed,
                        SourceSeed = c.Checkpoint.Seed,
                        SourceCheckpointHash = c.Checkpoint.ContentHash,
                        SourceCheckpointPath = c.Checkpoint.Path,
                        SettingsHash = s.ContentHash,
                        SettingsJson = s.ToJson(),
                        MaskHash = c.Mask.ContentHash,
                        Notes = [.. c.Notes],
                    };
                    ModelExporter.Export(pruned, card, dir);
                    return 0;
                });
            }
        }
        finally
        {
            sparsity?.Dispose();
            pruned?.Dispose();
            source?.Dispose();
        }
    }

    /// <summary>
    /// Re-estimates the pruned model's BatchNorm statistics (<see cref="BatchNormRecalibration"/>) unless recalibration is off
    /// or the mask removed nothing (no unit, no sparsity), so the unpruned model keeps its trained statistics. Returns the
    /// forward samples it passed.
    /// </summary>
    private static double Recalibrate(RunContext c, ZooModel source, ZooModel pruned, ImageDataset train, int batchSize, DeviceGate gate, CancellationToken ct)
    {
        var s = c.Settings;
        var pruning = c.Kept.Any(k => k.Value.Length < source.Architecture.Width(k.Key)) || c.SparsityFractions.Values.Any(f => f > 0);
        if (s.RecalibrationBatches == 0 || !pruning)
        {
            return 0;
        }

        var layers = c.Time("recalibrate", () => BatchNormRecalibration.Recalibrate(pruned, train, s.RecalibrationBatches, batchSize, s.Seed, gate, ct));
        if (layers == 0)
        {
            c.Notes.Add("recalibration: the model has no BatchNorm layer with running statistics; skipped");
            return 0;
        }

        return (double)s.RecalibrationBatches * batchSize;
    }

    /// <summary>Fine-tune steps the warm start already did (0 = starts from the shrunk baseline: no warm start, a mismatch, or sparsity modes).</summary>
    private static int WarmStartSteps(RunContext c, ZooModel pruned)
    {
        if (c.Warm is not { } warm || warm.PriorSteps <= 0)
        {
            return 0;
        }

        if (c.Settings.Mode != PruningMode.Structured || warm.PriorSteps > c.Settings.FineTuneSteps)
        {
            c.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"warm start ignored: it needs structured mode and at most {c.Settings.FineTuneSteps} prior steps (got {c.Settings.Mode}, {warm.PriorSteps})"));
            return 0;
        }

        var failure = c.Time("warm_start", () => warm.TryLoadInto(pruned, out var why) ? null : why);
        if (failure is null)
        {
            c.Metrics[MetricNames.WarmStartSteps] = warm.PriorSteps;
            return warm.PriorSteps;
        }

        c.Notes.Add("warm start ignored, fine-tuned from the baseline instead: " + failure);
        return 0;
    }

    private static string StoreWeights(IArtifactStore store, ZooModel model)
    {
        using var buffer = new MemoryStream();
        model.save(buffer);
        try
        {
            return store.Put(buffer.ToArray());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ArtifactStoreException($"storing the fine-tuned weights in {store} failed: {e.GetType().Name}: {FirstLine(e.Message)}", e);
        }
    }

    private static Dictionary<string, double> SparsityFractions(PruneMask mask, EvaluationSettings s, ZooModel model)
    {
        var fractions = new Dictionary<string, double>(StringComparer.Ordinal);
        if (s.Mode == PruningMode.Structured || mask.SparsityLevels is null)
        {
            return fractions;
        }

        foreach (var (group, level) in mask.SparsityLevels)
        {
            _ = model.Architecture.Width(group);
            if (level < 0 || level >= s.SparsityLevels.Count)
            {
                throw new InvalidMaskException($"Sparsity level {level} for group '{group}' is outside [0, {s.SparsityLevels.Count - 1}] (EvaluationSettings.SparsityLevels).");
            }

            fractions[group] = s.SparsityLevels[level];
        }

        return fractions;
    }

    private static (double? MillijoulesPerInference, string Source) MeasureEnergy(ZooModel model, Tensor input, Device device, TimeSpan window, CancellationToken ct)
    {
        if (window <= TimeSpan.Zero)
        {
            return (null, MetricSources.Modeled);
        }

        using var counter = EnergyMeters.TryOpen(device.type == DeviceType.CUDA, Math.Max(0, (int)device.index));
        if (counter is null)
        {
            return (null, MetricSources.Modeled);
        }

        model.eval();
        using var guard = torch.no_grad();
        TorchRuntime.Synchronize(device);
        var before = counter.ReadJoules();
        var clock = Stopwatch.StartNew();
        long inferences = 0;
        while (clock.Elapsed < window)
        {
            ct.ThrowIfCancellationRequested();
            using var y = model.call(input);
            TorchRuntime.Synchronize(device);
            inferences += input.shape[0];
        }

        var joules = counter.ReadJoules() - before;
        return joules <= 0 || inferences == 0 ? (null, MetricSources.Modeled) : (joules * 1000.0 / inferences, counter.Source);
    }

    private void VerifyCheckpoint(BaselineCheckpoint checkpoint)
    {
        var info = new FileInfo(checkpoint.Path);
        if (!info.Exists)
        {
            throw new InvalidDataException($"Checkpoint weights not found: '{checkpoint.Path}'.");
        }

        var key = info.FullName;
        if (verifiedHashes.TryGetValue(key, out var known) && known.Stamp == info.LastWriteTimeUtc && known.Length == info.Length)
        {
            Check(known.Hash);
            return;
        }

        var hash = Sha256Hex.OfFile(info.FullName);
        verifiedHashes[key] = (info.LastWriteTimeUtc, info.Length, hash);
        Check(hash);

        void Check(string actual)
        {
            if (!string.Equals(actual, checkpoint.ContentHash, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Checkpoint '{checkpoint.Path}' has SHA-256 {actual}, not the recorded {checkpoint.ContentHash}.");
            }
        }
    }

    private static ZooModel LoadSource(RunContext c, DataSplit data)
    {
        var m = ModelZoo.Load(c.Checkpoint.ResolveArchitecture(data), c.Checkpoint.Path);
        m.to(c.Device);
        m.eval();
        return m;
    }

    private static ZooModel LoadInferenceReference(RunContext c, DataSplit data)
    {
        using var source = LoadSource(c, data);
        return InferenceForm.Fold(source);
    }

    private static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException
        || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase);

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }

    private sealed class RunContext(BaselineCheckpoint checkpoint, PruneMask mask, EvaluationSettings settings, Device device, string? exportDirectory)
    {
        public BaselineCheckpoint Checkpoint { get; } = checkpoint;

        public PruneMask Mask { get; } = mask;

        public EvaluationSettings Settings { get; } = settings;

        public Device Device { get; } = device;

        public string? ExportDirectory { get; } = exportDirectory;

        public Dictionary<string, double> Metrics { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, double> Phases { get; } = new(StringComparer.Ordinal);

        public List<string> Notes { get; } = [];

        public string? Failure { get; set; }

        public string EnergySource { get; set; } = MetricSources.Modeled;

        public IReadOnlyList<double> PerClassRecall { get; set; } = [];

        public IReadOnlyDictionary<string, int[]> Kept { get; set; } = new Dictionary<string, int[]>();

        public IReadOnlyDictionary<string, double> SparsityFractions { get; set; } = new Dictionary<string, double>();

        public ArchitectureSpec? PrunedArchitecture { get; set; }

        public string? WeightsSha256 { get; set; }

        public WarmStart? Warm { get; init; }

        /// <summary>The innermost timed phase an exception left (e.g. <c>fine_tune</c>), for the failure reason; null when none did.</summary>
        public string? FailedPhase { get; set; }

        /// <summary>" in &lt;phase&gt;" when an exception left a timed phase, else empty.</summary>
        public string InPhase => FailedPhase is null ? "" : " in " + FailedPhase;

        public T Time<T>(string phase, Func<T> action)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                return action();
            }
            catch (Exception) when (RecordFailure(phase))
            {
                throw;
            }
            finally
            {
                Phases[phase] = Phases.GetValueOrDefault(phase) + Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        }

        /// <summary>An exception filter: notes the innermost phase (filters run innermost first) and never catches.</summary>
        private bool RecordFailure(string phase)
        {
            FailedPhase ??= phase;
            return false;
        }

        public Dictionary<string, string> Sources()
        {
            var sources = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in Metrics.Keys)
            {
                sources[name] = name switch
                {
                    MetricNames.Macs or MetricNames.Flops or MetricNames.Params or MetricNames.EffectiveMacs or MetricNames.NonzeroParams
                        or MetricNames.BaselineMacs or MetricNames.MacRatio or MetricNames.KeptFraction => MetricSources.Analytic,
                    MetricNames.PeakMemoryBytes => MetricSources.Modeled,
                    MetricNames.EnergyMj => EnergySource,
                    _ => MetricSources.Measured,
                };
            }

            return sources;
        }

        public EvaluationResult ToResult() => new(Failure is null, Failure, new Dictionary<string, double>(Metrics), EnergySource, new Dictionary<string, double>(Phases), Device.ToString())
        {
            MetricSources = Sources(),
            PerClassRecall = PerClassRecall,
            KeptIndices = Kept,
            PrunedArchitecture = PrunedArchitecture,
            Notes = [.. Notes],
            CheckpointHash = Checkpoint.ContentHash,
            MaskHash = Mask.ContentHash,
            SettingsHash = Settings.ContentHash,
            ExportDirectory = Failure is null ? ExportDirectory : null,
            WeightsSha256 = Failure is null ? WeightsSha256 : null,
        };
    }
}
