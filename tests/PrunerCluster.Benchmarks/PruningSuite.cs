using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "pruning": trains (or reuses) the VGG-style Fashion-MNIST baseline, then measures CPU latency at batch 64 of the unpruned model,
/// L1-pruned shrunk models at 50% and 25% of channels kept and their masked-but-unshrunk twins, and the wall time of full evaluations with
/// default settings, by phase. Options: --cache DIR (baseline cache, default .prunercluster/baselines), --threads N (default 2), --runs N (default 30).
/// </summary>
internal static class PruningSuite
{
    public static int Run(string[] args)
    {
        var cache = Text(args, "--cache") ?? Path.Combine(".prunercluster", "baselines");
        var threads = Number(args, "--threads") ?? 2;
        var runs = Number(args, "--runs") ?? 30;
        TorchRuntime.Initialize(threads);
        Console.WriteLine($"pruning suite: {Environment.ProcessorCount} cores visible, torch threads {threads}, .NET {Environment.Version}");

        var host = new PruningHostServices();
        var settings = new BaselineTrainingSettings { Threads = threads };
        var checkpoint = BaselineTrainer.TrainOrLoad(settings, cache, Console.WriteLine, host.Datasets, host.Gates);
        Console.WriteLine(Invariant($"baseline vgg / fashion-mnist: test accuracy {checkpoint.TestAccuracy:P2} (target >= 91%: {(checkpoint.TestAccuracy >= 0.91 ? "met" : "MISSED")}), validation {checkpoint.ValidationAccuracy:P2}, {checkpoint.Epochs} epochs, training time {checkpoint.TrainingSeconds:F0} s, sha256 {checkpoint.ContentHash[..16]}"));

        var data = host.Datasets.GetOrLoad(checkpoint.Dataset, checkpoint.DataRoot, checkpoint.ValidationSize, checkpoint.SplitSeed);
        LatencyTable(checkpoint, data, runs);

        var evaluator = new PruningEvaluator(host);
        var defaults = new EvaluationSettings { Threads = threads };
        Console.WriteLine($"default EvaluationSettings: {defaults.ToJson()}");
        using var model = ModelZoo.Load(checkpoint.ResolveArchitecture(data), checkpoint.Path);
        var groups = PruningStructure.Analyze(model);
        var ranking = Importance.Rank(model, ImportanceCriterion.L1);
        foreach (var keep in new[] { 1.0, 0.5, 0.25 })
        {
            var mask = PruneMask.FromRanking(groups, ranking, keep);
            var clock = Stopwatch.StartNew();
            var result = evaluator.Evaluate(checkpoint, mask, defaults, torch.CPU);
            var wall = clock.Elapsed.TotalSeconds;
            var phases = string.Join(", ", result.PhaseSeconds.Where(p => p.Key != "total").Select(p => Invariant($"{p.Key} {p.Value:F2}")));
            Console.WriteLine(result.Succeeded
                ? Invariant($"full evaluation, L1 mask keeping {keep:P0}: wall {wall:F1} s ({phases}); accuracy {result.Metric(MetricNames.Accuracy):P2} (unpruned {result.Metric(MetricNames.BaselineAccuracy):P2}, drop {result.Metric(MetricNames.AccuracyDrop):F2} pp), macro-F1 {result.Metric(MetricNames.MacroF1):F4}, MAC ratio {result.Metric(MetricNames.MacRatio):F3}, latency {result.Metric(MetricNames.LatencyMs):F2} ms, energy {result.Metric(MetricNames.EnergyMj):F4} mJ ({result.EnergySource})")
                : $"full evaluation, L1 mask keeping {keep:P0}: FAILED {result.FailureReason}");
        }

        return 0;
    }

    private static void LatencyTable(BaselineCheckpoint checkpoint, DataSplit data, int runs)
    {
        using var full = ModelZoo.Load(checkpoint.ResolveArchitecture(data), checkpoint.Path);
        full.eval();
        var groups = PruningStructure.Analyze(full);
        var ranking = Importance.Rank(full, ImportanceCriterion.L1);
        using var scope = torch.NewDisposeScope();
        var (input, _) = data.Validation.GetBatch(0, 64, torch.CPU);
        var reference = LatencyMeter.Measure(full, input, runs, warmup: 5);
        Console.WriteLine($"CPU latency at batch 64, median of {runs} runs after 5 warm-up (L1 masks, all groups):");
        Console.WriteLine("  variant                         MACs/sample   MAC ratio     params   size bytes   median ms   speed-up");
        Row("unpruned", full, reference, reference.MedianMs, full.Macs);
        foreach (var keep in new[] { 0.5, 0.25 })
        {
            var kept = MaskApplier.Resolve(full, PruneMask.FromRanking(groups, ranking, keep)).Kept;
            using var shrunk = MaskApplier.Shrink(full, kept);
            using var masked = MaskApplier.CloneMasked(full, kept);
            Row(Invariant($"{keep:P0} kept, shrunk"), shrunk, LatencyMeter.Measure(shrunk, input, runs, warmup: 5), reference.MedianMs, full.Macs);
            Row(Invariant($"{keep:P0} kept, masked-unshrunk"), masked, LatencyMeter.Measure(masked, input, runs, warmup: 5), reference.MedianMs, full.Macs, effective: true);
        }

        Console.WriteLine("BatchNorm folded into the convolutions (InferenceForm, what latency objectives time) against the model as trained, timed in alternating pairs:");
        Console.WriteLine("  kept   MAC ratio   as trained ms   folded ms   folded/as trained (95 % CI)");
        foreach (var keep in new[] { 1.0, 0.7, 0.5, 0.35 })
        {
            var kept = MaskApplier.Resolve(full, PruneMask.FromRanking(groups, ranking, keep)).Kept;
            using var shrunk = MaskApplier.Shrink(full, kept);
            shrunk.eval();
            using var folded = InferenceForm.Fold(shrunk);
            var paired = LatencyMeter.MeasurePaired(folded, shrunk, input, new LatencyPolicy { Warmup = 5, MinRuns = runs, MaxRuns = runs * 4, TargetCiPercent = 2.0, MaxSeconds = 60 });
            Console.WriteLine(Invariant($"  {keep,4:P0} {(double)shrunk.Macs / full.Macs,11:F3} {paired.Reference.MedianMs,15:F2} {paired.Model.MedianMs,11:F2} {paired.Ratio,10:F3} (+-{paired.RatioCiHalfWidthPercent:F1} %)"));
        }
    }

    private static void Row(string name, ZooModel model, LatencyReport latency, double referenceMs, long referenceMacs, bool effective = false)
    {
        var footprint = ModelFootprint.Of(model);
        var macs = effective ? footprint.EffectiveMacs : footprint.Macs;
        Console.WriteLine(Invariant($"  {name,-30} {macs,12:N0} {(double)macs / referenceMacs,11:F3} {footprint.Parameters,10:N0} {footprint.SizeBytes,12:N0} {latency.MedianMs,11:F2} {referenceMs / latency.MedianMs,9:F2}x"));
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    internal static string? Text(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>--cache, else the checkpoint cache a search uses (~/.cache/prunercluster/checkpoints).</summary>
    internal static string CheckpointCache(string[] args) => Text(args, "--cache")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "prunercluster", "checkpoints");

    internal static int? Number(string[] args, string name) => Text(args, name) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : null;
}
