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

/// <summary>
/// The state of one <see cref="Trainer.Train(ZooModel, ImageDataset, FineTuneOptions, Teacher?, SparsityState?, Action{int, double}?, DeviceGate?, CancellationToken)"/>
/// run: its optimizer, the snapshot a non-finite step rolls back to, and the step, loss sum and rollback counters. Call on one thread.
/// </summary>
internal sealed class TrainingLoop : IDisposable
{
    private readonly ZooModel model;
    private readonly ImageDataset data;
    private readonly FineTuneOptions options;
    private readonly Teacher? teacher;
    private readonly bool useTeacher;
    private readonly SparsityState? sparsity;
    private readonly Action<int, double>? onStep;
    private readonly DeviceGate? gate;
    private readonly CancellationToken ct;
    private readonly Device device;
    private readonly OptimizerHelper optimizer;
    private readonly TrainingSnapshot snapshot;
    private readonly StepSampler sampler;
    private readonly int warmup;
    private readonly int maxRollbacks;
    private readonly Dictionary<int, int> faultsAtStep = [];
    private int step;
    private double sum;
    private double last = double.NaN;
    private int rollbacks;
    private long teacherSamples;
    private double teacherSeconds;

    public TrainingLoop(ZooModel model, ImageDataset data, FineTuneOptions options, Teacher? teacher, SparsityState? sparsity, Action<int, double>? onStep, DeviceGate? gate, CancellationToken ct)
    {
        (this.model, this.data, this.options, this.teacher, this.sparsity, this.onStep, this.gate, this.ct) = (model, data, options, teacher, sparsity, onStep, gate, ct);
        device = MaskApplier.DeviceOf(model);
        useTeacher = teacher is { } source && (source.Model is not null || source.Logits is not null) && options.DistillationWeight > 0;
        teacher?.Model?.eval();
        model.train();
        optimizer = CreateOptimizer(model, options);
        snapshot = new TrainingSnapshot(model, optimizer);
        warmup = Math.Clamp(options.WarmupSteps, 0, options.Steps);
        sampler = new StepSampler(data.Count, Math.Min(options.BatchSize, data.Count), options.Seed);
        maxRollbacks = Trainer.MaxRollbacks(options.Steps);
    }

    public TrainOutcome Run()
    {
        while (step < options.Steps)
        {
            ct.ThrowIfCancellationRequested();
            if (step % Trainer.SnapshotInterval == 0 && snapshot.Step != step)
            {
                if (!snapshot.LiveIsFinite())
                {
                    if (RollBack("non-finite weights") is { } failure)
                    {
                        return failure;
                    }

                    continue;
                }

                snapshot.Take(step, sum);
            }

            var (fault, diverged) = Step();
            if (diverged is not null)
            {
                return diverged;
            }

            if (fault is not null)
            {
                if (Replay(fault) is { } failure)
                {
                    return failure;
                }

                continue;
            }

            sparsity?.Reapply();
            sum += last;
            onStep?.Invoke(step, last);
            step++;
        }

        return new TrainOutcome(false, null, options.Steps, last, sum / options.Steps) { Rollbacks = rollbacks, TeacherSamples = teacherSamples, TeacherSeconds = teacherSeconds };
    }

    public void Dispose()
    {
        snapshot.Dispose();
        optimizer.Dispose();
    }

    /// <summary>One optimizer step; the fault ("loss", "gradient") when a value came out non-finite, or the outcome when the loss diverged.</summary>
    private (string? Fault, TrainOutcome? Diverged) Step()
    {
        var positions = sampler.Positions(step);
        SetLearningRate(Trainer.ScheduledRate(options, warmup, step));

        // One step is the safe point: a timing window on this device waits for it to finish, and the next one waits for the window.
        using (gate?.EnterShared(ct))
        using (var scope = torch.NewDisposeScope())
        {
            var (x, y) = data.GetBatch(positions, device);
            var loss = StepLoss(x, y, positions);
            last = loss.item<float>();
            if (!double.IsFinite(last))
            {
                ConvolutionBackend.Process.ReportNumericFault("loss in fine-tuning", () => !double.IsFinite(StepLoss(x, y, positions).item<float>()));
                return ("loss", null);
            }

            if (last > options.DivergenceLoss)
            {
                return (null, new TrainOutcome(true, string.Create(CultureInfo.InvariantCulture, $"divergent loss {last:G4} at step {step + 1}"), step, last, sum / Math.Max(1, step)) { Rollbacks = rollbacks });
            }

            optimizer.zero_grad();
            loss.backward();
            if (!GradientsAreFinite())
            {
                ConvolutionBackend.Process.ReportNumericFault("gradient in fine-tuning", () =>
                {
                    optimizer.zero_grad();
                    StepLoss(x, y, positions).backward();
                    return !GradientsAreFinite();
                });
                return ("gradient", null);
            }

            optimizer.step();
            return (null, null);
        }
    }

    /// <summary>Rolls a faulted step back for a replay; the failed outcome when that step faulted too often or no rollback is left.</summary>
    private TrainOutcome? Replay(string fault)
    {
        var failedStep = step;
        var count = faultsAtStep[failedStep] = faultsAtStep.GetValueOrDefault(failedStep) + 1;
        if (count >= Trainer.MaxFaultsPerStep)
        {
            return new TrainOutcome(true, string.Create(CultureInfo.InvariantCulture, $"divergent loss {last:G4} at step {failedStep + 1} (non-finite {fault} on {count} replays of that step)"), failedStep, last, sum / Math.Max(1, failedStep)) { Rollbacks = rollbacks, TeacherSamples = teacherSamples, TeacherSeconds = teacherSeconds };
        }

        return RollBack("non-finite " + fault);
    }

    /// <summary>Restores the snapshot (null), or the failed outcome when the rollbacks are used up or none was taken.</summary>
    private TrainOutcome? RollBack(string what)
    {
        if (rollbacks >= maxRollbacks || snapshot.Step < 0)
        {
            return new TrainOutcome(true, string.Create(CultureInfo.InvariantCulture, $"divergent loss {last:G4} at step {step + 1} ({what}; {rollbacks} earlier step(s) rolled back)"), step, last, sum / Math.Max(1, step)) { Rollbacks = rollbacks, TeacherSamples = teacherSamples, TeacherSeconds = teacherSeconds };
        }

        snapshot.Restore();
        rollbacks++;
        step = snapshot.Step;
        sum = snapshot.LossSum;
        return null;
    }

    private Tensor StepLoss(Tensor x, Tensor y, int[] positions)
    {
        var logits = model.call(x);
        var loss = F.cross_entropy(logits, y);
        if (!useTeacher)
        {
            return loss;
        }

        Tensor teacherLogits;
        if (teacher!.Logits is { } cached)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            teacherLogits = cached.Batch(positions, device, teacher.Model, out var computed, ct);
            if (computed > 0)
            {
                teacherSamples += computed;
                teacherSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            }
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
        return loss.mul(1 - options.DistillationWeight).add(kd.mul(options.DistillationWeight));
    }

    private bool GradientsAreFinite() =>
        TrainingSnapshot.AllFinite(model.parameters().Select(p => p.grad).OfType<Tensor>());

    private void SetLearningRate(double rate)
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
