using System.Diagnostics;
using System.Runtime.InteropServices;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation.Stages;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Training;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Evaluation;

/// <summary>
/// Evaluates one prune mask in named stages (<c>Evaluation/Stages</c>): load the checkpoint, shrink (physical shrink and/or magnitude
/// sparsity), warm start, recalibrate the BatchNorm statistics, fine-tune, validate, score (footprint, energy), time, export. Synchronous: call it on a dedicated thread per device slot (TorchSharp grad mode, dispose scopes and device are thread-local).
/// Bad masks, divergence and out-of-memory (after one retry at half batch) come back as failed results; only cancellation, a failing
/// artifact store (<see cref="ArtifactStoreException"/>) and null arguments throw.
/// Thread-safe: one instance may serve several slot threads; it caches unpruned accuracies. Its host owns and gives it the data set
/// cache, the device gates its slots, timing windows and training share, and the reference calibration (<paramref name="host"/>).
/// </summary>
public sealed class PruningEvaluator(PruningHostServices host, IArtifactStore? artifacts = null)
{
    private readonly PruningHostServices host = host ?? throw new ArgumentNullException(nameof(host));
    private readonly LoadStage load = new();
    private readonly ValidateStage validate = new();
    private readonly FineTuneStage fineTune = new();

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

        // The settings' input normalisation, not whichever one the shared checkpoint metadata recorded last.
        checkpoint = checkpoint.Source is not null || settings.Normalization is not null ? checkpoint.WithNormalization(settings.Normalization) : checkpoint;
        var context = new EvaluationRun(checkpoint, mask, settings, device, exportDirectory) { Warm = warm };
        var total = Stopwatch.StartNew();
        try
        {
            settings.Validate();
            TorchRuntime.EnsureInitialized(settings.Threads);
            var data = context.Time("load", () => checkpoint.LoadData(host.Datasets));
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

    private void Attempt(EvaluationRun c, DataSplit data, int batchSize, int latencyBatch, CancellationToken ct)
    {
        var s = c.Settings;
        var set = ValidationSet.For(s, data);
        var gate = host.Gates.For(c.Device.ToString());
        ZooModel? source = null;
        ShrunkModel? shrunk = null;
        try
        {
            source = load.Source(c, data);
            var baseAccuracy = validate.Baseline(c, source, set, gate, ct);
            var baseMacs = source.Macs;
            shrunk = ShrinkStage.Run(c, source);
            var pruned = shrunk.Model;
            var steps = s.FineTuneSteps - WarmStartStage.Run(c, pruned);
            var recalibrated = steps == s.FineTuneSteps ? RecalibrateStage.Run(c, source, pruned, data.Train, batchSize, gate, ct) : 0.0;
            var teacher = FineTuneStage.Teacher(c, source, data.Train, steps, host.Teachers);
            var rate = fineTune.LearningRate(c, source, data, steps, batchSize, teacher, gate, ct);
            if (teacher is null)
            {
                source.Dispose();
                source = null;
            }

            var trained = FineTuneStage.Train(c, shrunk, data.Train, FineTuneStage.Options(s, steps, batchSize, rate), teacher, gate, ct, out var teacherForward);
            source?.Dispose();
            source = null;
            if (!trained)
            {
                return;
            }

            var trainSamples = (double)steps * batchSize;
            ValidateStage.Run(c, pruned, set, baseAccuracy, trainSamples, recalibrated + teacherForward, gate, ct);
            if (artifacts is not null)
            {
                c.WeightsSha256 = c.Time("store", () => StoreWeights(artifacts, pruned));
            }

            var footprint = ScoreStage.Footprint(c, pruned, baseMacs, c.Checkpoint.ResolveArchitecture(data), latencyBatch);
            var energy = TimeStage.Run(c, pruned, data, set, latencyBatch, gate, host.Calibration, ct);
            ScoreStage.Energy(c, footprint, energy, latencyBatch);
            ExportStage.Run(c, pruned, data);
        }
        finally
        {
            shrunk?.Sparsity?.Dispose();
            shrunk?.Model.Dispose();
            source?.Dispose();
        }
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

    private static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException
        || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase);

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }
}
