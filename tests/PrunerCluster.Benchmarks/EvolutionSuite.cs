using System.Diagnostics;
using PrunerCluster.Evolution;
using PrunerCluster.Evolution.Tests.Support;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "evolution": non-dominated sorting (fast vs the O(M N^2) oracle), exact 3-D hypervolume, and NSGA-II on a
/// 250-item bi-objective knapsack. Options: --quick (smaller sizes, for smoke runs), --reference-evaluations N.
/// </summary>
internal static class EvolutionSuite
{
    public static int Run(string[] args)
    {
        var quick = args.Contains("--quick");
        var referenceEvaluations = Option(args, "--reference-evaluations") ?? (quick ? 100_000 : 1_000_000);
        var points = quick ? 2_000 : 10_000;
        var evaluations = quick ? 10_000 : 100_000;

        Console.WriteLine($"evolution suite: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        SortBenchmark(points, 2, singleFront: false);
        SortBenchmark(points, 3, singleFront: false);
        SortBenchmark(points, 3, singleFront: true);
        HypervolumeBenchmark(1_000);
        KnapsackBenchmark(250, evaluations, referenceEvaluations);
        return 0;
    }

    private static int? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static void SortBenchmark(int n, int m, bool singleFront)
    {
        var random = new RandomSource((ulong)(100 + m));
        var points = new List<double[]>(n);
        for (var i = 0; i < n; i++)
        {
            var p = new double[m];
            for (var k = 0; k < m; k++)
            {
                p[k] = random.NextDouble();
            }

            if (singleFront)
            {
                var norm = Math.Sqrt(p.Sum(v => v * v));
                p = [.. p.Select(v => v / norm)];
            }

            points.Add(p);
        }

        NonDominatedSorting.Rank(points);
        NaiveNonDominatedSorting.Rank(points.Take(200).ToList());
        var fast = Median(7, () => NonDominatedSorting.Rank(points), out var ranks);
        var naive = Median(3, () => NaiveNonDominatedSorting.Rank(points), out var oracle);
        var agree = ranks.AsSpan().SequenceEqual(oracle);
        Console.WriteLine(
            $"non-dominated sort, {n:N0} points x {m} objectives ({(singleFront ? "all on the unit sphere" : "uniform random")}, {ranks.Max() + 1} fronts): fast {fast:F2} ms, O(MN^2) oracle {naive:F1} ms, speed-up {naive / fast:F0}x, ranks agree: {agree}");
    }

    private static void HypervolumeBenchmark(int n)
    {
        var random = new RandomSource(7);
        var front = new List<double[]>(n);
        while (front.Count < n)
        {
            var x = random.NextDouble();
            var y = random.NextDouble();
            var z = random.NextDouble();
            var norm = Math.Sqrt((x * x) + (y * y) + (z * z));
            if (norm > 0)
            {
                front.Add([x / norm, y / norm, z / norm]);
            }
        }

        double[] reference = [1.1, 1.1, 1.1];
        Hypervolume.Compute3D(front, reference);
        var ms = Median(9, () => Hypervolume.Compute3D(front, reference), out var hv);
        Console.WriteLine($"exact 3-D hypervolume, {n:N0}-point front (points on the unit sphere, mutually non-dominated), ref 1.1: {ms:F2} ms, HV = {hv:F6}");
    }

    private static void KnapsackBenchmark(int items, int evaluations, int referenceEvaluations)
    {
        var knapsack = new Knapsack(items, 2024);
        var settings = new Nsga2Settings
        {
            PopulationSize = 100,
            Seed = 1,
            Mode = DriverMode.Generational,
            InitialDensities = [0.1, 0.2, 0.3, 0.4, 0.5],
            IncludeFullGenome = false,
            Termination = new TerminationSpec { MaxEvaluations = evaluations },
        };

        var (run, seconds) = Solve(knapsack, settings);
        var hv = run.Hypervolume([0, 0]);
        Console.WriteLine(
            $"NSGA-II, {items}-item bi-objective knapsack, population 100, {evaluations:N0} evaluations: {seconds:F2} s ({evaluations / seconds:N0} evaluations/s), front {run.ParetoFront.Count} points, HV {hv:E6}");

        var (steady, steadySeconds) = Solve(knapsack, settings with { Mode = DriverMode.SteadyState });
        Console.WriteLine(
            $"NSGA-II steady-state (mu + 1 survival per result), same problem and budget: {steadySeconds:F2} s ({evaluations / steadySeconds:N0} evaluations/s), front {steady.ParetoFront.Count} points, HV {steady.Hypervolume([0, 0]):E6}");

        var (reference, referenceSeconds) = Solve(knapsack, settings with { Termination = new TerminationSpec { MaxEvaluations = referenceEvaluations } });
        var combined = new ParetoArchive<int>();
        foreach (var e in reference.ParetoFront.Concat(run.ParetoFront))
        {
            combined.Add(0, [-e.Evaluation.Objectives[0], -e.Evaluation.Objectives[1]]);
        }

        var referenceHv = Hypervolume.Compute2D(combined.Objectives, [0, 0]);
        Console.WriteLine(
            $"reference: same settings, {referenceEvaluations:N0} evaluations ({referenceSeconds:F1} s), union of both fronts HV {referenceHv:E6}; "
            + $"{evaluations:N0}-evaluation run reaches {hv / referenceHv:P2} of it (the long run alone: {reference.Hypervolume([0, 0]) / referenceHv:P2})");
    }

    private static (Nsga2 Run, double Seconds) Solve(Knapsack knapsack, Nsga2Settings settings)
    {
        var stopwatch = Stopwatch.StartNew();
        var engine = Nsga2.Create(knapsack.Problem, settings);
        while (!engine.IsTerminated)
        {
            var asked = engine.Ask(settings.Mode == DriverMode.Generational ? int.MaxValue : 8);
            if (asked.Count == 0)
            {
                break;
            }

            foreach (var c in asked)
            {
                engine.Tell(c.Id, knapsack.Evaluate(c.Genome));
            }
        }

        return (engine, stopwatch.Elapsed.TotalSeconds);
    }

    private static double Median<T>(int runs, Func<T> action, out T result)
    {
        var times = new double[runs];
        result = default!;
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            result = action();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[runs / 2];
    }
}
