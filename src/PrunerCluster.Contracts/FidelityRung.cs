namespace PrunerCluster.Contracts;

/// <summary>
/// One rung of the search's fidelity ladder: how long a candidate is fine-tuned at this rung and on how many validation
/// samples it is scored. Rung 0 is the cheapest (0 steps: BatchNorm recalibration only); the search promotes the best
/// 1/<see cref="SearchSettings.PromotionEta"/> of each rung's results to the next.
/// </summary>
[GenerateSerializer, Immutable, Alias("prunercluster.FidelityRung")]
public sealed record FidelityRung
{
    [Id(0)] public int FineTuneSteps { get; init; }

    /// <summary>Validation samples at this rung; null = evaluation.validationSamples.</summary>
    [Id(1)] public int? ValidationSamples { get; init; }

    /// <summary>The rung's part of an evaluation's content key.</summary>
    public string KeyText => $"fineTuneSteps={FineTuneSteps};validationSamples={(ValidationSamples?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default")}";
}
