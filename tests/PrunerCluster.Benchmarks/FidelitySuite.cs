using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Training;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "fidelity": how well a cheap accuracy ranks masks compared with the accuracy after a long recovery. Every mask
/// (<see cref="FidelityMasks"/>) is evaluated at each rung (that many fine-tune steps after BatchNorm recalibration, scored
/// on the validation split) and once more at rung 0 without recalibration, then at the final fidelity (the final recovery:
/// --final-steps fine-tune steps, scored on every test sample). Prints Spearman's rho and Kendall's tau-b of each rung
/// against the final accuracy, over all masks and over those whose final drop is within 5 points, with the mean slot-seconds
/// and samples passed per evaluation; writes the per-mask rows to --out as CSV and JSON.
/// Options: --spec PATH (default src/PrunerCluster.Cli/examples/fashion-mnist-vgg.json), --masks N (40), --rungs 0,50,150,300,
/// --final-steps N (900), --validation-samples N (1000), --seed N (1), --threads N (2), --out DIR (fidelity-results);
/// --rows FILE prints the table of an earlier run's fidelity-rows.json (all masks written so far) without evaluating.
/// </summary>
internal static class FidelitySuite
{
    private const double RegionPoints = 5.0;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        FidelityOptions o;
        try
        {
            o = FidelityOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return 2;
        }

        if (o.Rows is { } saved)
        {
            return Rescore(saved);
        }

        var clock = Stopwatch.StartNew();
        var spec = SpecFile.Load(o.SpecPath);
        spec = spec with { Evaluation = spec.Evaluation with { Seed = o.Seed, Threads = o.Threads } };
        var backend = new TorchSharpEvaluationBackend(Options.Create(new TorchSharpBackendOptions { Threads = o.Threads }), TimeProvider.System, NullLogger<TorchSharpEvaluationBackend>.Instance);
        var prepared = backend.PrepareCached(spec, CancellationToken.None);
        var masks = FidelityMasks.Create(backend.LayoutOfPrepared(prepared), prepared, o.Masks, o.Seed);
        var search = backend.ResolveSettings(spec);
        var fidelities = Fidelities(o, search);
        Console.WriteLine(Invariant($"fidelity suite: {spec.Name} ({spec.Model} on {spec.Dataset}), {masks.Count} masks ({masks.Count(m => m.Kind == "uniform")} uniform, {masks.Count(m => m.Kind == "random")} random), rungs {string.Join(",", o.Rungs)} + rung 0 without recalibration, final {o.FinalSteps} steps on the test set; batch {search.BatchSize}, {search.RecalibrationBatches} recalibration batches, seed {o.Seed}, {o.Threads} threads; baseline ready after {clock.Elapsed.TotalSeconds:F0} s"));

        var checkpoint = BaselineCheckpoint.Load(prepared.CheckpointPath + ".json");
        Console.WriteLine(Invariant($"unpruned baseline: test accuracy {checkpoint.TestAccuracy * 100:F2} %, validation {checkpoint.ValidationAccuracy * 100:F2} %, {checkpoint.Epochs} epoch(s) trained in {checkpoint.TrainingSeconds:F0} s ({checkpoint.Path})"));
        var split = checkpoint.LoadData(new DatasetCache());
        Directory.CreateDirectory(o.Out);
        var rows = new List<FidelityRow>();
        foreach (var mask in masks)
        {
            var started = clock.Elapsed;
            foreach (var f in fidelities)
            {
                var settings = f.Adjust(search);
                var scored = Math.Min(settings.ValidationSamples, settings.UseTestSet ? split.Test.Count : split.Validation.Count);
                var result = backend.EvaluateMask(spec, mask.Text, f.Adjust, null, CancellationToken.None);
                rows.Add(FidelityRow.Of(mask, f, settings, scored, result));
            }

            Save(o.Out, rows);
            var mine = rows.Where(r => r.Mask == mask.Index).ToList();
            Console.WriteLine(Invariant($"  mask {mask.Index + 1,2}/{masks.Count} {mask.Kind,-7} keep {mask.MeanKeep:F2}: ") + string.Join("  ", mine.Select(r => Invariant($"{r.Fidelity} {r.Accuracy * 100:F1}"))) + Invariant($"  ({(clock.Elapsed - started).TotalSeconds:F0} s)"));
        }

        Report(rows, fidelities, masks.Count);
        Console.WriteLine(Invariant($"wall time {clock.Elapsed.TotalMinutes:F1} min; rows in {Path.GetFullPath(o.Out)}"));
        return rows.Any(r => !r.Succeeded) ? 1 : 0;
    }

    private static int Rescore(string path)
    {
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"error: --rows: '{path}' does not exist; expected the fidelity-rows.json of an earlier run");
            return 2;
        }

        List<FidelityRow> rows;
        try
        {
            rows = JsonSerializer.Deserialize<List<FidelityRow>>(File.ReadAllText(path)) ?? [];
        }
        catch (JsonException e)
        {
            Console.Error.WriteLine($"error: --rows: '{path}' is not a fidelity-rows.json ({e.Message})");
            return 2;
        }

        var fidelities = rows.GroupBy(r => r.Fidelity, StringComparer.Ordinal)
            .Select(g => new Fidelity(g.Key, g.First().Steps, g.Any(r => r.RecalibrationBatches > 0), g.Key == "final", s => s)).ToList();
        if (!fidelities.Any(f => f.IsFinal))
        {
            Console.Error.WriteLine($"error: --rows: '{path}' holds no 'final' rows; expected at least one mask evaluated at every fidelity");
            return 2;
        }

        Report(rows, fidelities, rows.Select(r => r.Mask).Distinct().Count());
        return 0;
    }

    private static void Save(string directory, List<FidelityRow> rows)
    {
        File.WriteAllText(Path.Combine(directory, "fidelity-rows.json"), JsonSerializer.Serialize(rows, Indented));
        File.WriteAllLines(Path.Combine(directory, "fidelity-rows.csv"), [FidelityRow.CsvHeader, .. rows.Select(r => r.ToCsv())]);
    }

    private static List<Fidelity> Fidelities(FidelityOptions o, EvaluationSettings search)
    {
        var list = new List<Fidelity> { new("r0-norecal", 0, false, false, s => Cheap(s) with { FineTuneSteps = 0, RecalibrationBatches = 0, ValidationSamples = o.ValidationSamples }) };
        list.AddRange(o.Rungs.Select(steps => new Fidelity("r" + steps.ToString(CultureInfo.InvariantCulture), steps, search.RecalibrationBatches > 0, false, s => Cheap(s) with { FineTuneSteps = steps, ValidationSamples = o.ValidationSamples })));
        var final = new FinalRecoverySettings { FineTuneSteps = o.FinalSteps };
        list.Add(new Fidelity("final", o.FinalSteps, search.RecalibrationBatches > 0, true, s => Cheap(FinalRecoveryPlan.Settings(s, final))));
        return list;
    }

    /// <summary>Latency is not what the suite compares: one untimed-quality pass so the rows' seconds are the accuracy work.</summary>
    private static EvaluationSettings Cheap(EvaluationSettings s) => s with
    {
        LatencyRuns = 1, LatencyMaxRuns = 1, LatencyWarmup = 0, LatencyBatchSize = 8, ExclusiveTiming = false,
        LatencyReference = Pruning.Metrics.LatencyReference.None, EnergyWindow = TimeSpan.Zero,
    };

    private static void Report(List<FidelityRow> rows, List<Fidelity> fidelities, int maskCount)
    {
        var final = rows.Where(r => r.Fidelity == "final" && r.Succeeded).ToDictionary(r => r.Mask);
        var region = final.Values.Where(r => r.AccuracyDrop <= RegionPoints).Select(r => r.Mask).ToHashSet();
        Console.WriteLine();
        Console.WriteLine(Invariant($"rank agreement with the final accuracy ({final.Count} of {maskCount} masks; {region.Count} within {RegionPoints} points of the unpruned model after final recovery)"));
        Console.WriteLine("fidelity     steps  recal  rho(all)  tau-b(all)  rho(<=5pt)  tau-b(<=5pt)  s/eval  fwd+bwd samples  fwd-only samples  mean acc %");
        foreach (var f in fidelities)
        {
            var mine = rows.Where(r => r.Fidelity == f.Name && r.Succeeded && final.ContainsKey(r.Mask)).ToList();
            var inRegion = mine.Where(r => region.Contains(r.Mask)).ToList();
            Console.WriteLine(Invariant($"{f.Name,-12} {f.Steps,5}  {(f.Recalibrate ? "yes" : "no"),5}  {Rho(mine),8}  {Tau(mine),10}  {Rho(inRegion),10}  {Tau(inRegion),12}  {mine.Average(r => r.Seconds),6:F2}  {mine.Average(r => (double)r.ForwardBackwardSamples),15:N0}  {mine.Average(r => (double)r.ForwardSamples),16:N0}  {mine.Average(r => r.Accuracy) * 100,10:F2}"));
        }

        string Rho(List<FidelityRow> sample) => Format(sample, RankCorrelation.Spearman);
        string Tau(List<FidelityRow> sample) => Format(sample, RankCorrelation.KendallTauB);
        string Format(List<FidelityRow> sample, Func<IReadOnlyList<double>, IReadOnlyList<double>, double> measure) =>
            sample.Count < 3 ? "n/a" : measure([.. sample.Select(r => r.Accuracy)], [.. sample.Select(r => final[r.Mask].Accuracy)]).ToString("F3", CultureInfo.InvariantCulture);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

internal sealed record Fidelity(string Name, int Steps, bool Recalibrate, bool IsFinal, Func<EvaluationSettings, EvaluationSettings> Adjust);
