using System.Globalization;
using PrunerCluster.Pruning.Data;

namespace PrunerCluster.Pruning.Evaluation.Stages;

/// <summary>The samples an evaluation scores on: the first <see cref="Samples"/> of the validation set, or of the test set when the settings ask for it.</summary>
internal sealed record ValidationSet(ImageDataset Data, int Samples, bool IsTest)
{
    public static ValidationSet For(EvaluationSettings settings, DataSplit data)
    {
        var set = settings.UseTestSet ? data.Test : data.Validation;
        return new ValidationSet(set, Math.Min(settings.ValidationSamples, set.Count), settings.UseTestSet);
    }

    /// <summary>Identifies the scored samples for caches (which set, how many).</summary>
    public string Key => string.Join('|', IsTest ? "test" : "validation", Samples.ToString(CultureInfo.InvariantCulture));
}
