namespace PrunerCluster.Engine.Quality;

/// <summary>One evaluated mask of one method: search-time (validation) metrics, at the fidelity rung they come from (0 without a ladder).</summary>
public sealed record QualityPoint(string MaskText, string MaskHash, double Accuracy, double Macs, double LatencyMs, bool Succeeded, string? FailureReason = null, double TrainSamples = 0, double ForwardSamples = 0, int Rung = 0);

/// <summary>One recovered member: test accuracy after final recovery, MACs and re-measured latency.</summary>
public sealed record RecoveredPoint(string MaskHash, double TestAccuracy, double Macs, double LatencyMs, double LatencyCiPercent);

/// <summary>The unpruned model's reference figures for one seed (validation without fine-tuning; test after the same final recovery).</summary>
public sealed record QualityReference(double ValidationAccuracy, double Macs, double LatencyMs, double TestAccuracyRecovered, double TestLatencyMs);

/// <summary>One method on one seed.</summary>
public sealed record MethodRun
{
    public required string Method { get; init; }

    public required ulong Seed { get; init; }

    public IReadOnlyList<QualityPoint> Points { get; init; } = [];

    public IReadOnlyList<RecoveredPoint> Recovered { get; init; } = [];

    public double HypervolumeMacs { get; init; }

    public double HypervolumeLatency { get; init; }

    /// <summary>Hypervolume over accuracy, MACs and latency together (<see cref="QualityMetrics.Hypervolume3D"/>).</summary>
    public double HypervolumeAll { get; init; }

    /// <summary>Best MAC reduction (unpruned / member) among recovered members within 0.5 and 1.0 points on the test set; 1 = none better than unpruned.</summary>
    public double MacReductionWithin05 { get; init; } = 1;

    public double MacReductionWithin10 { get; init; } = 1;

    public double LatencySpeedupWithin05 { get; init; } = 1;

    public double LatencySpeedupWithin10 { get; init; } = 1;

    public double SearchSeconds { get; init; }

    public double RecoverySeconds { get; init; }

    public int Failed { get; init; }

    /// <summary>Samples through forward+backward passes the method's search spent (fine-tuning), final recovery excluded.</summary>
    public double ComputeTrainSamples { get; init; }

    /// <summary>Samples through forward-only passes (calibration, validation, the distillation teacher), final recovery excluded.</summary>
    public double ComputeForwardSamples { get; init; }

    /// <summary>
    /// Hypervolume over (test accuracy drop after final recovery, MACs / unpruned) of the recovered members, against the
    /// unpruned model recovered the same way; null when the run did not score it (runs without a ladder).
    /// </summary>
    public double? HypervolumeRecovered { get; init; }

    /// <summary>Forward-equivalent samples: a training sample costs a forward and a backward pass, about three forward passes.</summary>
    public double ComputeForwardEquivalent => ForwardEquivalent(ComputeTrainSamples, ComputeForwardSamples);

    public static double ForwardEquivalent(double trainSamples, double forwardSamples) => (3 * trainSamples) + forwardSamples;
}
