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

    /// <summary>Fewest timed passes when the time cap cuts a measurement short (a very slow model or an overloaded machine).</summary>
    public const int MinRunsWhenOutOfTime = 3;

    /// <summary>
    /// Whether timing may stop after <paramref name="samples"/> (timings, or ratios of paired timings) taken in
    /// <paramref name="elapsed"/>: at the run cap; else once past the minimum (or past three when out of time) and either
    /// the median's confidence interval is tight enough or the time cap is reached.
    /// </summary>
    public bool IsDone(IReadOnlyCollection<double> samples, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count >= MaxRuns)
        {
            return true;
        }

        var outOfTime = elapsed.TotalSeconds >= MaxSeconds;
        if (samples.Count < MinRuns && !(outOfTime && samples.Count >= MinRunsWhenOutOfTime))
        {
            return false;
        }

        return outOfTime || TimingStatistics.Of(samples).CiHalfWidthPercent <= TargetCiPercent;
    }

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
