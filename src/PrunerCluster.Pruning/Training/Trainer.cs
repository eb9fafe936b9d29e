using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;

namespace PrunerCluster.Pruning.Training;

/// <summary>Synchronous training loops. Each step runs in its own dispose scope; call on one thread (grad mode and scopes are thread-local).</summary>
public static class Trainer
{
    public static TrainOutcome Train(
        ZooModel model,
        ImageDataset data,
        FineTuneOptions options,
        ZooModel? teacher = null,
        SparsityState? sparsity = null,
        Action<int, double>? onStep = null,
        DeviceGate? gate = null,
        CancellationToken ct = default) =>
        Train(model, data, options, teacher is null ? null : new Teacher(teacher, null), sparsity, onStep, gate, ct);

    /// <summary>As above, distilling from <paramref name="teacher"/>: its cached logits when it has them, else its model per step.</summary>
    public static TrainOutcome Train(
        ZooModel model,
        ImageDataset data,
        FineTuneOptions options,
        Teacher? teacher,
        SparsityState? sparsity = null,
        Action<int, double>? onStep = null,
        DeviceGate? gate = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Steps);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        if (options.Steps == 0)
        {
            return new TrainOutcome(false, null, 0, double.NaN, double.NaN);
        }

        if (data.Count == 0)
        {
            throw new ArgumentException("Training data is empty.", nameof(data));
        }

        if (teacher?.Logits is { } given && given.Count != data.Count)
        {
            throw new ArgumentException($"The teacher's cached logits cover {given.Count} samples, the training data {data.Count}.", nameof(teacher));
        }

        using var loop = new TrainingLoop(model, data, options, teacher, sparsity, onStep, gate, ct);
        return loop.Run();
    }

    /// <summary>Steps between snapshots that a non-finite step rolls back to.</summary>
    internal const int SnapshotInterval = 16;

    /// <summary>Replays of one step that fault before training counts as diverged (a real divergence faults on every replay).</summary>
    internal const int MaxFaultsPerStep = 3;

    /// <summary>Rollbacks allowed in one run: a few, plus one per 25 steps.</summary>
    internal static int MaxRollbacks(int steps) => 4 + (steps / 25);

    /// <summary>The rate of step <paramref name="step"/> (0-based): linear warm-up over <paramref name="warmup"/> steps, times the cosine decay when on.</summary>
    internal static double ScheduledRate(FineTuneOptions options, int warmup, int step)
    {
        var rise = warmup > 0 ? Math.Min(1.0, (step + 1.0) / warmup) : 1.0;
        var decay = options.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * step / options.Steps)) : 1.0;
        return options.LearningRate * rise * decay;
    }
}
