using System.Globalization;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

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

        var device = MaskApplier.DeviceOf(model);
        var useTeacher = teacher is { } source && (source.Model is not null || source.Logits is not null) && options.DistillationWeight > 0;
        if (teacher?.Logits is { } given && given.Count != data.Count)
        {
            throw new ArgumentException($"The teacher's cached logits cover {given.Count} samples, the training data {data.Count}.", nameof(teacher));
        }

        teacher?.Model?.eval();
        model.train();
        using var optimizer = CreateOptimizer(model, options);
        var warmup = Math.Clamp(options.WarmupSteps, 0, options.Steps);
        var scheduler = options.Cosine && warmup == 0 ? torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, options.Steps) : null;
        var order = new DeterministicRandom(options.Seed, stream: 0xF7).Permutation(data.Count);
        var epoch = 0UL;
        var cursor = 0;
        var sum = 0.0;
        var last = double.NaN;
        var batch = Math.Min(options.BatchSize, data.Count);
        var positions = new int[batch];
        for (var step = 0; step < options.Steps; step++)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < batch; i++)
            {
                if (cursor == order.Length)
                {
                    order = new DeterministicRandom(options.Seed, stream: 0xF7 + (++epoch)).Permutation(data.Count);
                    cursor = 0;
                }

                positions[i] = order[cursor++];
            }

            if (warmup > 0)
            {
                SetLearningRate(optimizer, ScheduledRate(options, warmup, step));
            }

            // One step is the safe point: a timing window on this device waits for it to finish, and the next one waits for the window.
            using (gate?.EnterShared(ct))
            using (var scope = torch.NewDisposeScope())
            {
                var (x, y) = data.GetBatch(positions, device);
                var logits = model.call(x);
                var loss = F.cross_entropy(logits, y);
                if (useTeacher)
                {
                    Tensor teacherLogits;
                    if (teacher!.Logits is { } cached)
                    {
                        teacherLogits = cached.Batch(positions, device);
                    }
                    else
                    {
                        using (torch.no_grad())
                        {
                            teacherLogits = teacher.Model!.call(x);
                        }
                    }

                    var t = options.DistillationTemperature;
                    var kd = F.kl_div(F.log_softmax(logits / t, 1), F.log_softmax(teacherLogits / t, 1), reduction: nn.Reduction.Sum, log_target: true)
                        .mul(t * t / logits.shape[0]);
                    loss = loss.mul(1 - options.DistillationWeight).add(kd.mul(options.DistillationWeight));
                }

                optimizer.zero_grad();
                loss.backward();
                last = loss.item<float>();
                if (!double.IsFinite(last) || last > options.DivergenceLoss)
                {
                    return new TrainOutcome(true, string.Create(CultureInfo.InvariantCulture, $"divergent loss {last:G4} at step {step + 1}"), step, last, sum / Math.Max(1, step));
                }

                optimizer.step();
            }

            scheduler?.step();
            sparsity?.Reapply();
            sum += last;
            onStep?.Invoke(step, last);
        }

        return new TrainOutcome(false, null, options.Steps, last, sum / options.Steps);
    }

    /// <summary>The rate of step <paramref name="step"/> (0-based): linear warm-up over <paramref name="warmup"/> steps, times the cosine decay when on.</summary>
    internal static double ScheduledRate(FineTuneOptions options, int warmup, int step)
    {
        var rise = warmup > 0 ? Math.Min(1.0, (step + 1.0) / warmup) : 1.0;
        var decay = options.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * step / options.Steps)) : 1.0;
        return options.LearningRate * rise * decay;
    }

    private static void SetLearningRate(OptimizerHelper optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }

    private static OptimizerHelper CreateOptimizer(ZooModel model, FineTuneOptions options) => options.Optimizer switch
    {
        OptimizerKind.Adam => torch.optim.Adam(model.parameters(), options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.Sgd => torch.optim.SGD(model.parameters(), options.LearningRate, momentum: 0.9, weight_decay: options.WeightDecay, nesterov: true),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };
}
