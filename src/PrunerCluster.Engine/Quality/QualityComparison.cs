using System.Globalization;

namespace PrunerCluster.Engine.Quality;

/// <summary>
/// The benchmark's verdict lines: each NSGA-II arm's hypervolume over the better of random and uniform pruning, per plane
/// and seed, and the pooled front (every method's masks of a seed together, so methods x budget evaluations) as a
/// yardstick: how far above the baselines any selection of masks evaluated with this recovery reached.
/// </summary>
public static class QualityComparison
{
    public const string PooledName = "pooled";

    /// <summary>The front of every method's successful points of one seed, scored like a method.</summary>
    public static Hypervolumes Pooled(IReadOnlyList<MethodRun> runs, QualityReference reference)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var scored = QualityMetrics.Scored(new MethodRun { Method = PooledName, Seed = 0, Points = [.. runs.SelectMany(r => r.Points)] }, reference);
        return Of(scored);
    }

    /// <summary>The best one-rule baseline (random, uniform, slimming, LAMP) on each plane separately; null when a seed has none.</summary>
    public static Hypervolumes? BestBaseline(IReadOnlyList<MethodRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var baselines = runs.Where(r => QualityRunner.IsBaseline(r.Method)).ToList();
        return baselines.Count == 0
            ? null
            : new Hypervolumes(baselines.Max(r => r.HypervolumeMacs), baselines.Max(r => r.HypervolumeLatency), baselines.Max(r => r.HypervolumeAll));
    }

    public static Hypervolumes Of(MethodRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new Hypervolumes(run.HypervolumeMacs, run.HypervolumeLatency, run.HypervolumeAll);
    }

    /// <summary>
    /// One line per NSGA-II arm and one for the pooled front: the ratio of mean hypervolumes over the seeds to the mean of
    /// the better baseline, with the per-seed ratios. Empty when no seed has a random or uniform run.
    /// </summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var seeds = results.Where(r => BestBaseline(r.Runs) is not null).ToList();
        if (seeds.Count == 0)
        {
            return [];
        }

        if (RecoveredLines(seeds) is { Count: > 0 } recovered)
        {
            return recovered;
        }

        var baselines = seeds.Select(r => BestBaseline(r.Runs)!).ToList();
        var lines = new List<string> { "hypervolume over the better of random and uniform (per plane; target >= 1.05x), mean over seeds (per seed):" };
        var arms = seeds.SelectMany(r => r.Runs.Select(m => m.Method)).Where(QualityRunner.IsNsgaArm).Distinct(StringComparer.Ordinal).ToList();
        foreach (var arm in arms)
        {
            var values = seeds.Select(r => r.Runs.FirstOrDefault(m => m.Method == arm) is { } run ? Of(run) : null).ToList();
            lines.Add($"  {arm}: {Describe(values, baselines)}");
        }

        var pooled = seeds.Select(r => (Hypervolumes?)Pooled(r.Runs, r.Reference)).ToList();
        var methods = seeds.Max(r => r.Runs.Count);
        var masks = seeds.Max(r => r.Runs.Sum(m => m.Points.Count));
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {PooledName} front ({methods} methods, {masks} masks per seed): {Describe(pooled, baselines)}; HV(acc,MACs) {Mean(pooled, h => h.Macs):F4}"));
        if (SameMaskNoise(results, QualityRunner.Uniform) is { } noise)
        {
            lines.Add(noise);
        }

        return lines;
    }

    /// <summary>
    /// At equal compute (a ladder run): each NSGA-II arm's hypervolume after final recovery over the best single-rule
    /// baseline's, per seed and the ratio of means; and the arm's compute over each baseline's. Empty for runs without it.
    /// </summary>
    public static IReadOnlyList<string> RecoveredLines(IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var seeds = results.Where(r => r.Runs.Any(m => QualityRunner.IsBaseline(m.Method) && m.HypervolumeRecovered is not null)).ToList();
        if (seeds.Count == 0)
        {
            return [];
        }

        var lines = new List<string> { "after final recovery, HV(test acc, MACs) over the best single-rule baseline's (target >= 1.05x), mean over seeds (per seed):" };
        foreach (var arm in seeds.SelectMany(r => r.Runs.Select(m => m.Method)).Where(QualityRunner.IsNsgaArm).Distinct(StringComparer.Ordinal))
        {
            var pairs = seeds.Select(r => (Arm: r.Runs.FirstOrDefault(m => m.Method == arm), Best: r.Runs.Where(m => QualityRunner.IsBaseline(m.Method)).MaxBy(m => m.HypervolumeRecovered ?? 0)!))
                .Where(p => p.Arm?.HypervolumeRecovered is not null).ToList();
            if (pairs.Count == 0)
            {
                continue;
            }

            var mean = Divide(pairs.Average(p => p.Arm!.HypervolumeRecovered!.Value), pairs.Average(p => p.Best.HypervolumeRecovered ?? 0));
            var perSeed = string.Join(", ", pairs.Select(p => $"{Format(Divide(p.Arm!.HypervolumeRecovered!.Value, p.Best.HypervolumeRecovered ?? 0))} vs {p.Best.Method}"));
            var compute = string.Join(", ", pairs.Select(p => Format(Divide(p.Arm!.ComputeForwardEquivalent, p.Best.ComputeForwardEquivalent))));
            lines.Add($"  {arm}: {Format(mean)} ({perSeed}); its search compute over that baseline's: {compute} (forward-equivalent samples)");
        }

        return lines;
    }

    /// <summary>
    /// When a method evaluated the very same masks on every seed (uniform pruning does: its masks follow the baseline's
    /// importance order alone), the spread of its hypervolume over the seeds is evaluation noise (fine-tuning and
    /// validation), the yardstick for any ratio between methods. Null with fewer than two such seeds.
    /// </summary>
    public static string? SameMaskNoise(IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)> results, string method)
    {
        ArgumentNullException.ThrowIfNull(results);
        var runs = results.Select(r => r.Runs.FirstOrDefault(m => m.Method == method)).OfType<MethodRun>().ToList();
        if (runs.Count < 2 || runs.Skip(1).Any(r => !r.Points.Select(p => p.MaskHash).SequenceEqual(runs[0].Points.Select(p => p.MaskHash), StringComparer.Ordinal)))
        {
            return null;
        }

        var values = runs.Select(r => r.HypervolumeMacs).ToList();
        var (mean, _) = QualityMetrics.MeanStd(values);
        var spread = mean > 0 ? (values.Max() - values.Min()) / mean : double.NaN;
        return string.Create(CultureInfo.InvariantCulture, $"  noise: {method} evaluated the same {runs[0].Points.Count} masks on every seed; their HV(acc,MACs) ranged {values.Min():F4}-{values.Max():F4} ({spread:P1} of the mean) from fine-tuning and validation noise alone");
    }

    private static string Describe(IReadOnlyList<Hypervolumes?> values, IReadOnlyList<Hypervolumes> baselines) =>
        string.Join(", ", new (string Plane, Func<Hypervolumes, double> Get)[] { ("MACs", h => h.Macs), ("latency", h => h.Latency), ("three objectives", h => h.All) }
            .Select(p => $"{p.Plane} {Ratio(values, baselines, p.Get)}"));

    private static string Ratio(IReadOnlyList<Hypervolumes?> values, IReadOnlyList<Hypervolumes> baselines, Func<Hypervolumes, double> get)
    {
        var pairs = values.Select((v, i) => (Value: v, Baseline: baselines[i])).Where(p => p.Value is not null).ToList();
        if (pairs.Count == 0)
        {
            return "-";
        }

        var mean = Divide(pairs.Average(p => get(p.Value!)), pairs.Average(p => get(p.Baseline)));
        var perSeed = string.Join(", ", pairs.Select(p => Format(Divide(get(p.Value!), get(p.Baseline)))));
        return pairs.Count > 1 ? $"{Format(mean)} ({perSeed})" : Format(mean);
    }

    private static double Mean(IReadOnlyList<Hypervolumes?> values, Func<Hypervolumes, double> get) =>
        values.Where(v => v is not null).Select(v => get(v!)).DefaultIfEmpty(double.NaN).Average();

    private static double Divide(double a, double b) => b > 0 ? a / b : double.NaN;

    private static string Format(double ratio) => double.IsFinite(ratio) ? ratio.ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";

    /// <summary>Hypervolumes on the three planes the benchmark scores.</summary>
    public sealed record Hypervolumes(double Macs, double Latency, double All);
}
