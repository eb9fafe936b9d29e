using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>The analytic and modeled cost of the pruned model: MACs, parameters, size, kept fraction, peak memory, and energy when none was measured.</summary>
internal static class ScoreStage
{
    /// <summary>Records the pruned model's footprint against the source's MACs and widths, peak memory at the latency batch.</summary>
    public static ModelFootprint Footprint(EvaluationRun c, ZooModel pruned, long baseMacs, ArchitectureSpec source, int latencyBatch)
    {
        var footprint = c.Time("apply", () => ModelFootprint.Of(pruned));
        c.Metrics[MetricNames.Macs] = footprint.Macs;
        c.Metrics[MetricNames.Flops] = 2.0 * footprint.Macs;
        c.Metrics[MetricNames.Params] = footprint.Parameters;
        c.Metrics[MetricNames.EffectiveMacs] = footprint.EffectiveMacs;
        c.Metrics[MetricNames.NonzeroParams] = footprint.NonzeroParameters;
        c.Metrics[MetricNames.SizeBytes] = footprint.SizeBytes;
        c.Metrics[MetricNames.BaselineMacs] = baseMacs;
        c.Metrics[MetricNames.MacRatio] = (double)footprint.Macs / baseMacs;
        c.Metrics[MetricNames.KeptFraction] = (double)c.Kept.Values.Sum(k => k.Length) / source.Widths.Sum(w => w.Units);
        c.Metrics[MetricNames.PeakMemoryBytes] = (footprint.Parameters * sizeof(float)) + ((double)footprint.PeakActivationBytesPerSample * latencyBatch);
        return footprint;
    }

    /// <summary>Records the energy per inference: the measured one, else <see cref="EnergyModel"/>'s estimate for the footprint.</summary>
    public static void Energy(EvaluationRun c, ModelFootprint footprint, MeasuredEnergy measured, int latencyBatch)
    {
        c.EnergySource = measured.Source;
        c.Metrics[MetricNames.EnergyMj] = measured.MillijoulesPerInference ?? EnergyModel.MillijoulesPerInference(footprint, latencyBatch);
    }
}
