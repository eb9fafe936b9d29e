using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Training;

/// <summary>
/// The unpruned teacher's logits for every sample of one training set, computed once per process (the data has no
/// augmentation, so a sample's logits never change) and shared by every distilled fine-tuning on it: distillation then
/// costs one pass over the training set per process instead of one teacher forward per step of every evaluation.
/// </summary>
public sealed class TeacherLogits
{
    /// <summary>Above this many floats (samples x classes) the logits are not cached; the teacher runs per step instead.</summary>
    public const long MaxCachedValues = 64L * 1024 * 1024;

    private const int PassBatch = 256;

    private static readonly ConditionalWeakTable<ImageDataset, ConcurrentDictionary<string, Lazy<TeacherLogits>>> Cache = [];

    private static long computations;

    private readonly float[] values;

    private TeacherLogits(float[] values, int classes)
    {
        this.values = values;
        Classes = classes;
    }

    public int Classes { get; }

    public int Count => values.Length / Classes;

    /// <summary>Passes over a training set computed in this process (each cached pair of dataset and teacher counts once).</summary>
    public static long Computations => Interlocked.Read(ref computations);

    /// <summary>Whether the logits of <paramref name="data"/> are small enough to cache.</summary>
    public static bool Fits(ImageDataset data) => data is not null && (long)data.Count * Math.Max(1, data.Classes) <= MaxCachedValues;

    /// <summary>
    /// The logits of <paramref name="teacher"/> (identified by <paramref name="teacherKey"/>, e.g. its checkpoint's content hash) over
    /// <paramref name="data"/>, computed on the first call in this process and shared afterwards. Call on an evaluation thread.
    /// </summary>
    public static TeacherLogits For(ZooModel teacher, ImageDataset data, string teacherKey, DeviceGate? gate = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(teacherKey);
        var byTeacher = Cache.GetValue(data, _ => new ConcurrentDictionary<string, Lazy<TeacherLogits>>(StringComparer.Ordinal));
        while (true)
        {
            var lazy = byTeacher.GetOrAdd(teacherKey, _ => new Lazy<TeacherLogits>(() => Compute(teacher, data, gate, ct), LazyThreadSafetyMode.ExecutionAndPublication));
            try
            {
                return lazy.Value;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Another evaluation started the pass and was cancelled: this one computes it afresh.
                byTeacher.TryRemove(new KeyValuePair<string, Lazy<TeacherLogits>>(teacherKey, lazy));
            }
            catch
            {
                byTeacher.TryRemove(new KeyValuePair<string, Lazy<TeacherLogits>>(teacherKey, lazy));
                throw;
            }
        }
    }

    /// <summary>Runs <paramref name="teacher"/> over all of <paramref name="data"/> in evaluation mode, without gradients.</summary>
    public static TeacherLogits Compute(ZooModel teacher, ImageDataset data, DeviceGate? gate = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("Training data is empty.", nameof(data));
        }

        var device = MaskApplier.DeviceOf(teacher);
        var wasTraining = teacher.training;
        teacher.eval();
        float[]? values = null;
        var classes = 0;
        try
        {
            for (var start = 0; start < data.Count; start += PassBatch)
            {
                ct.ThrowIfCancellationRequested();
                using (gate?.EnterShared(ct))
                using (var scope = torch.NewDisposeScope())
                using (torch.no_grad())
                {
                    var (x, _) = data.GetBatch(start, PassBatch, device);
                    var logits = Metrics.ClassificationMetrics.FiniteLogits(teacher, x).to(torch.float32).cpu();
                    if (values is null)
                    {
                        classes = (int)logits.shape[1];
                        values = new float[(long)data.Count * classes];
                    }

                    var chunk = logits.contiguous().data<float>().ToArray();
                    Array.Copy(chunk, 0, values, (long)start * classes, chunk.Length);
                }
            }
        }
        finally
        {
            teacher.train(wasTraining);
        }

        Interlocked.Increment(ref computations);
        return new TeacherLogits(values!, classes);
    }

    /// <summary>The cached logits of the samples at <paramref name="positions"/> (positions into the dataset), as a [n, classes] tensor.</summary>
    public Tensor Batch(ReadOnlySpan<int> positions, Device device)
    {
        var batch = new float[positions.Length * Classes];
        for (var i = 0; i < positions.Length; i++)
        {
            var position = positions[i];
            if ((uint)position >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(positions), position, $"Position outside the {Count} cached samples.");
            }

            Array.Copy(values, (long)position * Classes, batch, (long)i * Classes, Classes);
        }

        return torch.tensor(batch, [positions.Length, Classes], device: device);
    }
}
