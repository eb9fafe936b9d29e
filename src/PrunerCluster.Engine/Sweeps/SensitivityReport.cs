namespace PrunerCluster.Engine.Sweeps;

/// <summary>
/// Per-layer sensitivity: each prunable group pruned alone (least important units first, by the spec's evaluation.importance order) at several fractions, every other
/// group whole, with <see cref="FineTuneSteps"/> of recovery, and the validation accuracy that resulted.
/// </summary>
public sealed record SensitivityReport
{
    public const string FileName = "sensitivity.json";

    public required string Model { get; init; }

    public required string Dataset { get; init; }

    public int FineTuneSteps { get; init; }

    /// <summary>Validation accuracy of the unpruned model (no fine-tuning), the reference for the drops.</summary>
    public double UnprunedAccuracy { get; init; }

    public required IReadOnlyList<double> PrunedFractions { get; init; }

    public required IReadOnlyList<LayerSensitivity> Layers { get; init; }
}

/// <summary>One prunable group and its accuracy at each pruned fraction.</summary>
public sealed record LayerSensitivity
{
    public required string Layer { get; init; }

    public int Channels { get; init; }

    public required IReadOnlyList<SensitivityPoint> Points { get; init; }
}

/// <summary>One group at one pruned fraction: kept channels, validation accuracy, its drop in points and the MACs.</summary>
public sealed record SensitivityPoint
{
    public double PrunedFraction { get; init; }

    public int KeptChannels { get; init; }

    public double Accuracy { get; init; } = double.NaN;

    public double AccuracyDropPoints { get; init; } = double.NaN;

    public double Macs { get; init; } = double.NaN;

    public string? FailureReason { get; init; }
}
