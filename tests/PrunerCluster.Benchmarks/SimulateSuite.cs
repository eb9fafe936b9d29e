using System.Globalization;
using PrunerCluster.Grains.Simulation;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "simulate": the cluster's scheduling beyond one machine, by discrete-event simulation of the real scheduler and
/// dispatch classes without grains (<see cref="ClusterSimulation"/>). One run at the given size prints utilization,
/// fairness per weight, re-issues and the scheduler's wall time per decision; <c>--sweep-silos</c> and
/// <c>--sweep-experiments</c> repeat it over sizes to show how the cost per decision grows.
/// Options: --silos N (512), --slots N per silo (8), --experiments N (64), --seconds S simulated (120), --seed N (1),
/// --median S (2), --sigma X (1, log-normal), --pareto SHAPE (instead of log-normal), --mtbf S per silo (3600, 0 = none),
/// --downtime S (60), --detect S (10), --cap N (0), --sweep-silos 64,512,2048, --sweep-experiments 8,64,256,
/// --sweep-seconds S (simulated seconds of each sweep run, default 30), --sweep-only (skip the run at the given size).
/// </summary>
internal static class SimulateSuite
{
    public static int Run(string[] args)
    {
        var config = Parse(args);
        Console.WriteLine(Invariant($"simulate: {config.Silos} silos x {config.SlotsPerSilo} slots = {config.TotalSlots}, {config.Experiments} experiments (weights {string.Join(":", config.Weights)} cycled), {config.Seconds:F0} s simulated (first {config.WarmupFraction:P0} left out), seed {config.Seed}"));
        Console.WriteLine(Invariant($"  evaluations: {(config.ParetoShape > 0 ? $"Pareto shape {config.ParetoShape}" : $"log-normal sigma {config.LogNormalSigma}")}, median {config.MedianEvaluationSeconds} s; silo MTBF {config.SiloMtbfSeconds} s, downtime {config.SiloDowntimeSeconds} s, detection {config.FailureDetectionSeconds} s; {Environment.ProcessorCount} cores visible"));
        // A small run first, so the timed runs measure compiled code rather than the JIT's first tiers.
        new ClusterSimulation(new SimulationConfig { Silos = 16, Experiments = 8, Seconds = 60, Seed = config.Seed }).Run();
        var reports = new List<SimulationReport>();
        if (!args.Contains("--sweep-only"))
        {
            var report = new ClusterSimulation(config).Run();
            PrintShares(report);
            Header();
            Row(report);
            reports.Add(report);
        }

        reports.AddRange(Sweep(args, config, "--sweep-silos", (c, n) => c with { Silos = n }));
        reports.AddRange(Sweep(args, config, "--sweep-experiments", (c, n) => c with { Experiments = n }));
        return reports.All(r => r.Lost == 0 && r.Duplicates == 0) ? 0 : 1;
    }

    private static List<SimulationReport> Sweep(string[] args, SimulationConfig config, string option, Func<SimulationConfig, int, SimulationConfig> vary)
    {
        var reports = new List<SimulationReport>();
        if (PruningSuite.Text(args, option) is not { } list)
        {
            return reports;
        }

        var seconds = Real(args, "--sweep-seconds") ?? 30;
        Console.WriteLine();
        Console.WriteLine(Invariant($"{option[2..]}: {seconds:F0} s simulated each"));
        Header();
        foreach (var size in list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)))
        {
            var report = new ClusterSimulation(vary(config with { Seconds = seconds }, size)).Run();
            Row(report);
            reports.Add(report);
        }

        return reports;
    }

    private static void PrintShares(SimulationReport report)
    {
        Console.WriteLine();
        Console.WriteLine("  share of slot-time by weight (after warm-up):");
        Console.WriteLine("    weight  experiments  entitled  share(mean)  min/entitled  max/entitled  completed");
        foreach (var group in report.Shares.GroupBy(s => s.Weight).OrderBy(g => g.Key))
        {
            Console.WriteLine(Invariant($"    {group.Key,6:G}  {group.Count(),11}  {group.Average(s => s.Entitled),8:P3}  {group.Average(s => s.Share),11:P3}  {group.Min(s => s.Share / s.Entitled),12:F3}  {group.Max(s => s.Share / s.Entitled),12:F3}  {group.Sum(s => s.Completed),9:N0}"));
        }

        Console.WriteLine();
    }

    private static void Header() =>
        Console.WriteLine("  silos  slots  exps  utilization  useful  max |share/entitled-1|  median  completed  failures  re-issued  lost  dup  decisions  granted  us/decision  p50 us  p99 us  plan us  place us  wall s");

    private static void Row(SimulationReport r) =>
        Console.WriteLine(Invariant($"  {r.Config.Silos,5}  {r.Config.TotalSlots,5}  {r.Config.Experiments,4}  {r.Utilization,11:P2}  {r.UsefulUtilization,6:P1}  {r.MaxDeviation,21:P2}  {r.MedianDeviation,6:P2}  {r.Completed,9:N0}  {r.SiloFailures,8}  {r.Reissued,9:N0}  {r.Lost,4}  {r.Duplicates,3}  {r.Decisions,9:N0}  {r.Granted,7:N0}  {r.DecisionMicros,11:F1}  {r.DecisionP50Micros,6:F0}  {r.DecisionP99Micros,6:F0}  {r.PlanMicros,7:F1}  {r.PlacementMicros,8:F1}  {r.WallSeconds,6:F1}"));

    private static SimulationConfig Parse(string[] args)
    {
        var d = new SimulationConfig();
        return d with
        {
            Silos = PruningSuite.Number(args, "--silos") ?? d.Silos,
            SlotsPerSilo = PruningSuite.Number(args, "--slots") ?? d.SlotsPerSilo,
            Experiments = PruningSuite.Number(args, "--experiments") ?? d.Experiments,
            Cap = PruningSuite.Number(args, "--cap") ?? d.Cap,
            Seed = PruningSuite.Number(args, "--seed") ?? d.Seed,
            Seconds = Real(args, "--seconds") ?? d.Seconds,
            MedianEvaluationSeconds = Real(args, "--median") ?? d.MedianEvaluationSeconds,
            LogNormalSigma = Real(args, "--sigma") ?? d.LogNormalSigma,
            ParetoShape = Real(args, "--pareto") ?? d.ParetoShape,
            SiloMtbfSeconds = Real(args, "--mtbf") ?? d.SiloMtbfSeconds,
            SiloDowntimeSeconds = Real(args, "--downtime") ?? d.SiloDowntimeSeconds,
            FailureDetectionSeconds = Real(args, "--detect") ?? d.FailureDetectionSeconds,
        };
    }

    private static double? Real(string[] args, string name) => PruningSuite.Text(args, name) is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : null;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
