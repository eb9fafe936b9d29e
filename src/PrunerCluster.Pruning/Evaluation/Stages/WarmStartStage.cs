using System.Globalization;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>Loads the run's <see cref="WarmStart"/> weights into the pruned model when they fit, so fine-tuning does only the steps still missing.</summary>
internal static class WarmStartStage
{
    /// <summary>Fine-tune steps the warm start already did (0 = starts from the shrunk baseline: no warm start, a mismatch, or sparsity modes).</summary>
    public static int Run(EvaluationRun c, ZooModel pruned)
    {
        if (c.Warm is not { } warm || warm.PriorSteps <= 0)
        {
            return 0;
        }

        if (c.Settings.Mode != PruningMode.Structured || warm.PriorSteps > c.Settings.FineTuneSteps)
        {
            c.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"warm start ignored: it needs structured mode and at most {c.Settings.FineTuneSteps} prior steps (got {c.Settings.Mode}, {warm.PriorSteps})"));
            return 0;
        }

        var failure = c.Time("warm_start", () => warm.TryLoadInto(pruned, out var why) ? null : why);
        if (failure is null)
        {
            c.Metrics[MetricNames.WarmStartSteps] = warm.PriorSteps;
            return warm.PriorSteps;
        }

        c.Notes.Add("warm start ignored, fine-tuned from the baseline instead: " + failure);
        return 0;
    }
}
