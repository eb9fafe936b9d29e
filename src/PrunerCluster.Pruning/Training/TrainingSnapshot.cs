using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrunerCluster.Pruning.Training;

/// <summary>
/// A copy of everything one fine-tuning step changes (parameters, buffers such as BatchNorm running statistics, and the
/// optimizer's state) taken at a known-good step, so a step that produced a non-finite loss or gradient can be undone and
/// replayed. The parameter and buffer copies are allocated once and overwritten in place by <see cref="Take"/>.
/// </summary>
internal sealed class TrainingSnapshot : IDisposable
{
    private readonly (Tensor Live, Tensor Copy)[] tensors;
    private readonly OptimizerHelper optimizer;
    private readonly MemoryStream optimizerState = new();

    public TrainingSnapshot(nn.Module model, OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        using var guard = torch.no_grad();
        tensors = [.. model.parameters().Select(p => (Tensor)p).Concat(model.buffers()).Select(t =>
        {
            using var alias = t.detach();
            var copy = alias.clone();
            copy.DetachFromDisposeScope();
            return (t, copy);
        })];
    }

    /// <summary>The step the snapshot was taken before (-1 until the first <see cref="Take"/>).</summary>
    public int Step { get; private set; } = -1;

    /// <summary>Running loss sum at <see cref="Step"/>, restored with the tensors.</summary>
    public double LossSum { get; private set; }

    /// <summary>Whether every floating-point parameter and buffer of the live model is finite.</summary>
    public bool LiveIsFinite() => AllFinite(tensors.Select(t => t.Live));

    /// <summary>Whether every element of the floating-point <paramref name="values"/> is finite (one reduction, one sync).</summary>
    public static bool AllFinite(IEnumerable<Tensor> values)
    {
        using var scope = torch.NewDisposeScope();
        using var guard = torch.no_grad();
        Tensor? total = null;
        foreach (var v in values)
        {
            if (v.is_floating_point())
            {
                var s = v.sum().to(torch.float64);
                total = total is null ? s : total.add(s);
            }
        }

        return total is null || double.IsFinite(total.item<double>());
    }

    public void Take(int step, double lossSum)
    {
        using (torch.no_grad())
        {
            foreach (var (live, copy) in tensors)
            {
                copy.copy_(live);
            }
        }

        optimizerState.SetLength(0);
        using (var writer = new BinaryWriter(optimizerState, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
        }

        Step = step;
        LossSum = lossSum;
    }

    public void Restore()
    {
        if (Step < 0)
        {
            throw new InvalidOperationException("No snapshot has been taken.");
        }

        using (torch.no_grad())
        {
            foreach (var (live, copy) in tensors)
            {
                live.copy_(copy);
            }
        }

        optimizerState.Position = 0;
        using var reader = new BinaryReader(optimizerState, System.Text.Encoding.UTF8, leaveOpen: true);
        optimizer.load_state_dict(reader);
    }

    public void Dispose()
    {
        foreach (var (_, copy) in tensors)
        {
            copy.Dispose();
        }

        optimizerState.Dispose();
    }
}
