namespace PrunerCluster.Pruning.Metrics;

/// <summary>
/// The latency an evaluation reports: alone, the model's own median; against the unpruned reference, the median per-pair
/// ratio times the host's calibrated reference latency (<see cref="ReferenceCalibration"/>), with the raw median kept.
/// </summary>
public sealed record TimedLatency
{
    public required double MedianMs { get; init; }

    public required double P90Ms { get; init; }

    /// <summary>The model's own median in its timing window.</summary>
    public required double RawMedianMs { get; init; }

    /// <summary>Median per-pair ratio over the reference; null when timed alone.</summary>
    public double? Ratio { get; init; }

    /// <summary>The calibrated reference latency the ratio is scaled by; 0 when timed alone.</summary>
    public double ReferenceMs { get; init; }

    /// <summary>Confidence half-width (percent) of what <see cref="MedianMs"/> rests on: the median, or the ratio.</summary>
    public required double CiHalfWidthPercent { get; init; }

    /// <summary>Coefficient of variation of the model's own timed passes.</summary>
    public required double CoefficientOfVariation { get; init; }

    public required int Runs { get; init; }

    public required int Threads { get; init; }

    public required bool Converged { get; init; }

    public static TimedLatency Alone(LatencyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new TimedLatency
        {
            MedianMs = report.MedianMs,
            P90Ms = report.P90Ms,
            RawMedianMs = report.MedianMs,
            CiHalfWidthPercent = report.CiHalfWidthPercent,
            CoefficientOfVariation = report.CoefficientOfVariation,
            Runs = report.Runs,
            Threads = report.Threads,
            Converged = report.Converged,
        };
    }

    /// <summary>Scales <paramref name="paired"/> by the reference latency <paramref name="calibration"/> holds under <paramref name="calibrationKey"/>.</summary>
    public static TimedLatency Paired(PairedLatencyReport paired, string calibrationKey, ReferenceCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(paired);
        ArgumentNullException.ThrowIfNull(calibration);
        var scale = calibration.Scale(calibrationKey, paired.Reference.MedianMs);
        var toScale = scale / paired.Reference.MedianMs;
        return new TimedLatency
        {
            MedianMs = paired.Ratio * scale,
            P90Ms = paired.Model.P90Ms * toScale,
            RawMedianMs = paired.Model.MedianMs,
            Ratio = paired.Ratio,
            ReferenceMs = scale,
            CiHalfWidthPercent = paired.RatioCiHalfWidthPercent,
            CoefficientOfVariation = paired.Model.CoefficientOfVariation,
            Runs = paired.Model.Runs,
            Threads = paired.Model.Threads,
            Converged = paired.Converged,
        };
    }
}
