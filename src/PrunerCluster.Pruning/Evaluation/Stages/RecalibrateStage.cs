using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Training;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>
/// Re-estimates the pruned model's BatchNorm statistics (<see cref="BatchNormRecalibration"/>) unless recalibration is off
/// or the mask removed nothing (no unit, no sparsity), so the unpruned model keeps its trained statistics.
/// </summary>
internal static class RecalibrateStage
{
    /// <summary>Recalibrates <paramref name="pruned"/>; returns the forward samples it passed (0 when skipped).</summary>
    public static double Run(EvaluationRun c, ZooModel source, ZooModel pruned, ImageDataset train, int batchSize, DeviceGate gate, CancellationToken ct)
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
}
