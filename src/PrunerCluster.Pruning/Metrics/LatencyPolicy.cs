namespace PrunerCluster.Pruning.Metrics;

/// <summary>
/// Adaptive timing: after <see cref="Warmup"/> untimed passes, time at least <see cref="MinRuns"/> passes, then keep going
/// until the median's 95 % confidence interval is within +-<see cref="TargetCiPercent"/> % of it, or <see cref="MaxRuns"/>
/// passes, or <see cref="MaxSeconds"/> of timing, whichever comes first (the time cap also cuts <see cref="MinRuns"/> short,
/// after at least three passes, so an overloaded machine cannot stall a search in its timing windows).
/// </summary>
public sealed record LatencyPolicy
{
    public int Warmup { get; init; } = 3;

    public int MinRuns { get; init; } = 10;

    public int MaxRuns { get; init; } = 60;

    public double TargetCiPercent { get; init; } = 3.0;

    public double MaxSeconds { get; init; } = 8.0;

    /// <summary>A fixed number of runs (no adaptation): MinRuns = MaxRuns = <paramref name="runs"/>.</summary>
    public static LatencyPolicy Fixed(int runs, int warmup) => new() { Warmup = warmup, MinRuns = runs, MaxRuns = runs };

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Warmup);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinRuns, 1);
        if (MaxRuns < MinRuns)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRuns), MaxRuns, $"Must be at least MinRuns ({MinRuns}).");
        }

        if (!(TargetCiPercent > 0) || !double.IsFinite(TargetCiPercent))
        {
            throw new ArgumentOutOfRangeException(nameof(TargetCiPercent), TargetCiPercent, "Must be a positive percentage.");
        }

        if (!(MaxSeconds > 0) || !double.IsFinite(MaxSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSeconds), MaxSeconds, "Must be positive seconds.");
        }
    }
}
