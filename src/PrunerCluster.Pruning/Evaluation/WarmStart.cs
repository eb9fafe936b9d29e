using PrunerCluster.Pruning.Models;
using TorchSharp;

namespace PrunerCluster.Pruning.Evaluation;

/// <summary>
/// Weights to continue from instead of the shrunk baseline's: the state of the same pruned model after
/// <see cref="PriorSteps"/> fine-tuning steps at a lower rung of a fidelity ladder. The evaluation then fine-tunes only
/// the steps still missing to its own budget, so a promotion redoes no work.
/// </summary>
public sealed record WarmStart(byte[] Weights, int PriorSteps)
{
    /// <summary>Loads the weights into <paramref name="model"/> (shapes must match); false, with the model untouched, when they do not fit.</summary>
    public bool TryLoadInto(ZooModel model, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(model);
        byte[] before;
        using (var snapshot = new MemoryStream())
        {
            model.save(snapshot);
            before = snapshot.ToArray();
        }

        try
        {
            using var stream = new MemoryStream(Weights, writable: false);
            model.load(stream, strict: true);
            reason = null;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or InvalidOperationException)
        {
            using var restore = new MemoryStream(before, writable: false);
            model.load(restore, strict: true);
            reason = e.Message.Split('\n')[0];
            return false;
        }
    }
}
