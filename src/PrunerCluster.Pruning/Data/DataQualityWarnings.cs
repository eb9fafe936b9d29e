using System.Globalization;

namespace PrunerCluster.Pruning.Data;

/// <summary>
/// Warnings, with numbers, about data too small to trust a search's figures: a validation split with few images per
/// class (accuracies then differ by several points by chance, and pruned members "beat" the unpruned model), and a
/// baseline trained for few optimizer steps (pruning then looks free, and fine-tuning looks like a gain).
/// </summary>
public static class DataQualityWarnings
{
    /// <summary>Fewer validation images than this in any class draws a warning.</summary>
    public const int MinValidationPerClass = 30;

    /// <summary>A baseline trained for fewer optimizer steps than this draws a warning.</summary>
    public const int MinBaselineSteps = 100;

    /// <param name="validation">The split the search scores on.</param>
    /// <param name="validationSamples">How many of its images an evaluation scores (the first ones).</param>
    /// <param name="baseline">The baseline's training (optimizer steps, epochs, images, batch), or null when it was not trained here (imported, or given as a checkpoint).</param>
    public static IReadOnlyList<string> For(ImageDataset validation, int validationSamples, (int Steps, int Epochs, int Images, int BatchSize)? baseline)
    {
        ArgumentNullException.ThrowIfNull(validation);
        var warnings = new List<string>();
        var scored = Math.Min(validationSamples, validation.Count);
        var perClass = new int[validation.Classes];
        for (var i = 0; i < scored; i++)
        {
            var label = validation.Label(i);
            if (label >= 0 && label < perClass.Length)
            {
                perClass[label]++;
            }
        }

        var fewest = perClass.Length == 0 ? 0 : perClass.Min();
        if (fewest < MinValidationPerClass)
        {
            var worstClass = Array.IndexOf(perClass, fewest);
            var halfWidth = scored > 0 ? 1.96 * Math.Sqrt(0.25 / scored) * 100 : double.PositiveInfinity;
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"validation: {scored} images scored for {validation.Classes} classes, {fewest} in class {worstClass} (fewer than {MinValidationPerClass} per class): an accuracy can differ by up to ±{halfWidth:F1} points by chance, so pruned members may score above the unpruned model; use more data or a larger evaluation.validationSamples"));
        }

        if (baseline is { } b && b.Steps < MinBaselineSteps)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"baseline: trained for only {b.Steps} optimizer steps ({b.Epochs} epoch(s) of {b.Images} images at batch {b.BatchSize}; fewer than {MinBaselineSteps}): a barely trained baseline makes pruning look free and fine-tuning look like a gain; raise baseline.epochs or give more training data"));
        }

        return warnings;
    }

    /// <summary>Optimizer steps of a baseline trained for <paramref name="epochs"/> over <paramref name="images"/> at <paramref name="batchSize"/>.</summary>
    public static int Steps(int epochs, int images, int batchSize) =>
        batchSize <= 0 ? 0 : epochs * ((images + batchSize - 1) / batchSize);
}
