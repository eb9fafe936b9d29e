using System.Globalization;
using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;
using TorchSharp;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "noise": the latency noise a search sees. The unpruned VGG is timed <c>--samples</c> times (default 10) the way
/// every candidate is (exclusive timing window, adaptive repeats to +-3 %), first on an otherwise idle process, then while
/// a slot thread fine-tunes and validates pruned copies between the timings, as a search does; it prints each median, the
/// coefficient of variation of the medians and the host allocator setting. Run it once as is and once with
/// PRUNERCLUSTER_MALLOC=default to compare glibc's default allocator with the pinned thresholds (<see cref="HostMemory"/>).
/// Options: --cache DIR (default ~/.cache/prunercluster/checkpoints), --threads N (default 2), --samples N, --gap-ms N (default 1500).
/// </summary>
internal static class NoiseSuite
{
    public static int Run(string[] args)
    {
        var threads = PruningSuite.Number(args, "--threads") ?? 2;
        var samples = PruningSuite.Number(args, "--samples") ?? 10;
        var gap = TimeSpan.FromMilliseconds(PruningSuite.Number(args, "--gap-ms") ?? 1500);
        TorchRuntime.Initialize(threads);
        Console.WriteLine(Invariant($"noise suite: {Environment.ProcessorCount} cores visible, torch threads {threads}, allocator thresholds pinned: {HostMemory.Pinned} ({HostMemory.OptOutVariable}={Environment.GetEnvironmentVariable(HostMemory.OptOutVariable) ?? "unset"})"));

        var baseline = SuiteBaseline.Load(args, threads);
        var (checkpoint, data, policy) = baseline;
        var gate = baseline.Host.Gates.For("cpu");
        using var full = baseline.LoadModel();

        var groups = PruningStructure.Analyze(full);
        var kept = MaskApplier.Resolve(full, PruneMask.FromRanking(groups, Importance.Rank(full, ImportanceCriterion.L1), 0.5)).Kept;
        using var half = MaskApplier.Shrink(full, kept);
        half.eval();

        Report("idle", Sample(gate, full, data, policy, threads, samples, gap, background: null));
        ReportPaired("idle, half-pruned against the unpruned reference", SamplePaired(gate, half, full, data, policy, threads, samples, gap));
        using var stop = new CancellationTokenSource();
        var slot = new Thread(() => Slot(gate, checkpoint, data, threads, stop.Token)) { IsBackground = true, Name = "noise-slot" };
        slot.Start();
        Thread.Sleep(2000);
        Report("while a slot fine-tunes", Sample(gate, full, data, policy, threads, samples, gap, background: slot));
        ReportPaired("while a slot fine-tunes, half-pruned against the unpruned reference", SamplePaired(gate, half, full, data, policy, threads, samples, gap));
        stop.Cancel();
        slot.Join();
        return 0;
    }

    private static List<LatencyReport> Sample(DeviceGate gate, ZooModel model, DataSplit data, LatencyPolicy policy, int threads, int samples, TimeSpan gap, Thread? background)
    {
        var reports = new List<LatencyReport>();
        using var scope = torch.NewDisposeScope();
        var (input, _) = data.Validation.GetBatch(0, 64, torch.CPU);
        for (var i = 0; i < samples; i++)
        {
            using (TimingWindow.Open(gate, torch.CPU, threads))
            {
                reports.Add(LatencyMeter.Measure(model, input, policy));
            }

            Thread.Sleep(gap);
        }

        return reports;
    }

    private static List<PairedLatencyReport> SamplePaired(DeviceGate gate, ZooModel model, ZooModel reference, DataSplit data, LatencyPolicy policy, int threads, int samples, TimeSpan gap)
    {
        var reports = new List<PairedLatencyReport>();
        using var scope = torch.NewDisposeScope();
        var (input, _) = data.Validation.GetBatch(0, 64, torch.CPU);
        for (var i = 0; i < samples; i++)
        {
            using (TimingWindow.Open(gate, torch.CPU, threads))
            {
                reports.Add(LatencyMeter.MeasurePaired(model, reference, input, policy));
            }

            Thread.Sleep(gap);
        }

        return reports;
    }

    private static void ReportPaired(string label, List<PairedLatencyReport> reports)
    {
        var raw = reports.Select(r => r.Model.MedianMs).ToArray();
        var refs = reports.Select(r => r.Reference.MedianMs).ToArray();
        var ratios = reports.Select(r => r.Ratio).ToArray();
        Console.WriteLine(Invariant($"{label}: {reports.Count} paired timings at batch 64; CV of the model's medians {TimingStatistics.Of(raw).CoefficientOfVariation:P1}, of the reference's {TimingStatistics.Of(refs).CoefficientOfVariation:P1}, of the ratios {TimingStatistics.Of(ratios).CoefficientOfVariation:P1}"));
        Console.WriteLine("  model ms:     " + string.Join(", ", raw.Select(m => m.ToString("F2", CultureInfo.InvariantCulture))));
        Console.WriteLine("  reference ms: " + string.Join(", ", refs.Select(m => m.ToString("F2", CultureInfo.InvariantCulture))));
        Console.WriteLine("  ratio:        " + string.Join(", ", ratios.Select(m => m.ToString("F3", CultureInfo.InvariantCulture))));
        Console.WriteLine("  +-CI %:       " + string.Join(", ", reports.Select(r => r.RatioCiHalfWidthPercent.ToString("F1", CultureInfo.InvariantCulture))));
    }

    // What a second slot does in a search: shrink a pruned copy, fine-tune it step by step through the shared gate, validate.
    private static void Slot(DeviceGate gate, BaselineCheckpoint checkpoint, DataSplit data, int threads, CancellationToken ct)
    {
        double[] keeps = [0.3, 0.5, 0.7, 0.9];
        var seed = 1UL;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var scope = torch.NewDisposeScope();
                using var baseline = ModelZoo.Load(checkpoint.ResolveArchitecture(data), checkpoint.Path);
                var groups = PruningStructure.Analyze(baseline);
                var kept = MaskApplier.Resolve(baseline, PruneMask.FromRanking(groups, Importance.Rank(baseline, ImportanceCriterion.L1), keeps[seed % (ulong)keeps.Length])).Kept;
                using var model = MaskApplier.Shrink(baseline, kept);
                Trainer.Train(model, data.Train, new FineTuneOptions { Steps = 60, LearningRate = 1e-3, Seed = seed++ }, gate: gate, ct: ct);
                model.eval();
                using (torch.no_grad())
                {
                    for (var start = 0; start < 1024 && !ct.IsCancellationRequested; start += 256)
                    {
                        using (gate.EnterShared(ct))
                        using (var batch = torch.NewDisposeScope())
                        {
                            var (x, _) = data.Validation.GetBatch(start, 256, torch.CPU);
                            using var y = model.call(x);
                        }
                    }
                }

            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void Report(string label, List<LatencyReport> reports)
    {
        var medians = reports.Select(r => r.MedianMs).ToArray();
        var cv = TimingStatistics.Of(medians).CoefficientOfVariation;
        Console.WriteLine(Invariant($"{label}: {reports.Count} timings of the unpruned model at batch 64, CV of the medians {cv:P1}"));
        Console.WriteLine("  medians ms: " + string.Join(", ", medians.Select(m => m.ToString("F2", CultureInfo.InvariantCulture))));
        Console.WriteLine("  +-CI %:     " + string.Join(", ", reports.Select(r => r.CiHalfWidthPercent.ToString("F1", CultureInfo.InvariantCulture))));
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
