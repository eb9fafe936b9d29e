namespace PrunerCluster.Pruning.Metrics;

/// <summary>
/// Summary of repeated timings: median with a distribution-free 95 % confidence interval from order statistics
/// (ranks n/2 -+ 1.96 sqrt(n)/2), coefficient of variation and inter-quartile range. Pure arithmetic: unit-testable.
/// </summary>
public sealed record TimingStatistics(double Median, double CiLow, double CiHigh, double Mean, double StdDev, double P10, double P90, double Min, int Count)
{
    private const double Z95 = 1.959963984540054;

    /// <summary>Half the confidence interval's width over the median, in percent (infinite with fewer than 2 samples).</summary>
    public double CiHalfWidthPercent => Count < 2 || Median <= 0 ? double.PositiveInfinity : (CiHigh - CiLow) / 2.0 / Median * 100.0;

    /// <summary>Standard deviation over mean (0..), e.g. 0.05 = 5 %.</summary>
    public double CoefficientOfVariation => Mean <= 0 ? 0 : StdDev / Mean;

    public static TimingStatistics Of(IReadOnlyCollection<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("At least one timing is needed.", nameof(samples));
        }

        var sorted = samples.ToArray();
        if (sorted.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("Timings must be finite.", nameof(samples));
        }

        Array.Sort(sorted);
        var n = sorted.Length;
        var mean = sorted.Average();
        var variance = n < 2 ? 0 : sorted.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        var (lo, hi) = MedianCiRanks(n);
        return new TimingStatistics(
            Percentile(sorted, 0.5),
            sorted[lo],
            sorted[hi],
            mean,
            Math.Sqrt(variance),
            Percentile(sorted, 0.1),
            Percentile(sorted, 0.9),
            sorted[0],
            n);
    }

    /// <summary>0-based ranks of the order statistics bounding the median's 95 % confidence interval.</summary>
    public static (int Low, int High) MedianCiRanks(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var half = Z95 * Math.Sqrt(n) / 2.0;
        var low = (int)Math.Floor((n / 2.0) - half);
        var high = (int)Math.Ceiling(1 + (n / 2.0) + half);
        return (Math.Clamp(low - 1, 0, n - 1), Math.Clamp(high - 1, 0, n - 1));
    }

    public static double Percentile(double[] sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = (int)Math.Ceiling(pos);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (pos - lo));
    }
}
