using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Training;

/// <summary>
/// The unpruned teacher's logits over one training set, filled on demand and shared by every distilled fine-tuning that
/// samples it with the same order seed (the data has no augmentation, so a sample's logits never change). The samples are
/// cut into fixed chunks along the first epoch of the <see cref="StepSampler"/> order of that seed: a fine-tuning of S
/// steps reads only the first S x batch samples of that order, so only the chunks covering them are ever computed (a
/// 300-step fine-tuning at batch 64 computes 76 of Fashion-MNIST's 215 chunks instead of the whole split). A chunk's
/// members are fixed by the seed, so its logits are the same bits whichever evaluation computes it first. Thread-safe.
/// </summary>
public sealed class TeacherLogits
{
    /// <summary>Above this many floats (samples x classes) the logits are not cached; the teacher runs per step instead.</summary>
    public const long MaxCachedValues = 64L * 1024 * 1024;

    /// <summary>Samples per chunk: the teacher's forward batch.</summary>
    public const int ChunkSize = 256;

    private readonly ImageDataset data;
    private readonly int[] order;
    private readonly int[] chunkOf;
    private readonly bool[] done;
    private readonly object[] chunkLocks;
    private readonly object allocation = new();
    private float[]? values;
    private long computed;

    public TeacherLogits(ImageDataset data, ulong orderSeed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("Training data is empty.", nameof(data));
        }

        this.data = data;
        order = StepSampler.EpochOrder(data.Count, orderSeed, epoch: 0);
        chunkOf = new int[data.Count];
        for (var i = 0; i < order.Length; i++)
        {
            chunkOf[order[i]] = i / ChunkSize;
        }

        var chunks = (data.Count + ChunkSize - 1) / ChunkSize;
        done = new bool[chunks];
        chunkLocks = Enumerable.Range(0, chunks).Select(_ => new object()).ToArray();
    }

    /// <summary>Samples of the training set these logits cover.</summary>
    public int Count => data.Count;

    /// <summary>Samples whose logits have been computed so far (whole chunks).</summary>
    public long ComputedSamples => Interlocked.Read(ref computed);

    /// <summary>Whether the logits of <paramref name="data"/> are small enough to cache.</summary>
    public static bool Fits(ImageDataset data) => data is not null && (long)data.Count * Math.Max(1, data.Classes) <= MaxCachedValues;

    /// <summary>
    /// The logits of the samples at <paramref name="positions"/> (positions into the data set) as a [n, classes] tensor on
    /// <paramref name="device"/>. Chunks not yet computed are computed first with <paramref name="teacher"/> (the unpruned
    /// model these logits belong to, in evaluation mode) without gradients; <paramref name="newlyComputed"/> counts their samples.
    /// </summary>
    public Tensor Batch(ReadOnlySpan<int> positions, Device device, ZooModel? teacher, out int newlyComputed, CancellationToken ct = default)
    {
        newlyComputed = 0;
        if (positions.IsEmpty)
        {
            throw new ArgumentException("No positions given.", nameof(positions));
        }

        foreach (var position in positions)
        {
            if ((uint)position >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(positions), position, $"Position outside the {Count} samples of the teacher's training set.");
            }

            var chunk = chunkOf[position];
            if (!Volatile.Read(ref done[chunk]))
            {
                newlyComputed += Fill(chunk, teacher, ct);
            }
        }

        var all = values!;
        var classes = all.Length / Count;
        var batch = new float[positions.Length * classes];
        for (var i = 0; i < positions.Length; i++)
        {
            Array.Copy(all, (long)positions[i] * classes, batch, (long)i * classes, classes);
        }

        return torch.tensor(batch, [positions.Length, classes], device: device);
    }

    private int Fill(int chunk, ZooModel? teacher, CancellationToken ct)
    {
        lock (chunkLocks[chunk])
        {
            if (Volatile.Read(ref done[chunk]))
            {
                return 0;
            }

            if (teacher is null)
            {
                throw new InvalidOperationException($"Chunk {chunk} of the teacher's logits is not computed yet and no teacher model was given to compute it.");
            }

            ct.ThrowIfCancellationRequested();
            var members = order.AsSpan(chunk * ChunkSize, Math.Min(ChunkSize, Count - (chunk * ChunkSize))).ToArray();
            using (var scope = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var (x, _) = data.GetBatch(members, MaskApplier.DeviceOf(teacher));
                var logits = Metrics.ClassificationMetrics.FiniteLogits(teacher, x).to(torch.float32).cpu().contiguous();
                var classes = (int)logits.shape[1];
                var rows = logits.data<float>().ToArray();
                var target = Values(classes);
                for (var i = 0; i < members.Length; i++)
                {
                    Array.Copy(rows, (long)i * classes, target, (long)members[i] * classes, classes);
                }
            }

            Interlocked.Add(ref computed, members.Length);
            Volatile.Write(ref done[chunk], true);
            return members.Length;
        }
    }

    private float[] Values(int classes)
    {
        lock (allocation)
        {
            if (values is null)
            {
                values = new float[(long)Count * classes];
            }
            else if (values.Length != (long)Count * classes)
            {
                throw new InvalidOperationException($"The teacher gave {classes} logits per sample; earlier chunks had {values.Length / Count}.");
            }

            return values;
        }
    }
}
