using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Structure;
using TorchSharp;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "latency-table": how well a per-layer latency lookup table (<see cref="LatencyTable"/>, as NetAdapt and AMC
/// use) predicts the measured CPU latency of pruned models, against MACs as the proxy. The main job's VGG is pruned to
/// <c>--models</c> width assignments from the level encoding's ladders (keep levels rounded to 16 and halved below one
/// block): uniform ones at spread keep fractions and random per-layer ones (seeded); each model, BatchNorm folded as
/// deployed, is timed as the search times it (exclusive window, the search's adaptive policy, batch 64) and predicted
/// by the table, which is calibrated on the unpruned model. Prints per-model measured and predicted latency, then the
/// mean and largest absolute error, Spearman's rank correlation of the table and of MACs with measured latency, and the
/// time spent filling the table against the time spent timing the models.
/// Options: --cache DIR, --threads N (default 2), --models N (default 16), --seed N (default 1), --batch N (default 64).
/// </summary>
internal static class LatencyTableSuite
{
    public static int Run(string[] args)
    {
        var threads = PruningSuite.Number(args, "--threads") ?? 2;
        var count = PruningSuite.Number(args, "--models") ?? 16;
        var seed = PruningSuite.Number(args, "--seed") ?? 1;
        var batch = PruningSuite.Number(args, "--batch") ?? 64;
        TorchRuntime.Initialize(threads);
        Console.WriteLine(Invariant($"latency-table suite: {Environment.ProcessorCount} cores visible, torch threads {threads}, batch {batch}, {count} models, seed {seed}"));

        var baseline = SuiteBaseline.Load(args, threads);
        var (data, policy) = (baseline.Data, baseline.Policy);
        using var full = baseline.LoadModel();
        var groups = PruningStructure.Analyze(full);
        var importance = Importance.Scores(full, ImportanceCriterion.L1);
        var ladders = groups.ToDictionary(g => g.Name, g => KeepLevelMapping.WidthLadder(g.Units, 16, 16), StringComparer.Ordinal);

        var tableClock = new Stopwatch();
        var table = new LatencyTable(layer =>
        {
            tableClock.Start();
            try
            {
                return LayerTimer.MedianMs(layer, batch, torch.CPU, policy);
            }
            finally
            {
                tableClock.Stop();
            }
        });

        var modelClock = new Stopwatch();
        double Measure(ZooModel model)
        {
            using var folded = InferenceForm.Fold(model);
            folded.eval();
            using var scope = torch.NewDisposeScope();
            using (TimingWindow.Open(baseline.Host.Gates.For("cpu"), torch.CPU, threads))
            using (ConvolutionBackend.Process.OptimizedForTiming())
            {
                var (input, _) = data.Validation.GetBatch(0, batch, torch.CPU);
                modelClock.Start();
                var report = LatencyMeter.Measure(folded, input, policy);
                modelClock.Stop();
                return report.MedianMs;
            }
        }

        double Predict(ZooModel model)
        {
            using (TimingWindow.Open(baseline.Host.Gates.For("cpu"), torch.CPU, threads))
            using (ConvolutionBackend.Process.OptimizedForTiming())
            {
                return table.PredictMs(model.Layers);
            }
        }

        var fullMs = Measure(full);
        using (TimingWindow.Open(baseline.Host.Gates.For("cpu"), torch.CPU, threads))
        using (ConvolutionBackend.Process.OptimizedForTiming())
        {
            table.Calibrate(full.Layers, fullMs);
        }

        Console.WriteLine(Invariant($"unpruned: {fullMs:F2} ms measured; table sum {fullMs / table.Scale:F2} ms over its convolution and linear layers, scale {table.Scale:F3}"));
        Console.WriteLine("model      widths                          MACs x  measured ms  predicted ms  error %");
        var random = new Random(seed);
        var rows = new List<(double Macs, double Measured, double Predicted)>();
        for (var m = 0; m < count; m++)
        {
            var uniform = m % 2 == 0;
            var fraction = count < 2 ? 0.5 : 0.1 + (0.8 * m / (count - 1));
            var widths = groups.ToDictionary(
                g => g.Name,
                g => uniform ? Nearest(ladders[g.Name], g.Units * fraction) : ladders[g.Name][random.Next(ladders[g.Name].Length)],
                StringComparer.Ordinal);
            var mask = new PruneMask(groups.ToDictionary(g => g.Name, g => KeepLevelMapping.KeepMostImportant(importance[g.Name], widths[g.Name]), StringComparer.Ordinal));
            var kept = MaskApplier.Resolve(full, mask, EmptyGroupPolicy.Repair, 16).Kept;
            using var pruned = MaskApplier.Shrink(full, kept);
            pruned.eval();
            var measured = Measure(pruned);
            var predicted = Predict(pruned);
            var macs = (double)full.Macs / pruned.Macs;
            rows.Add((macs, measured, predicted));
            var label = uniform ? Invariant($"uniform {fraction:F2}") : "random";
            Console.WriteLine(Invariant($"{label,-12} {string.Join("/", groups.Select(g => kept[g.Name].Length)),-30}  {macs,6:F2}  {measured,11:F2}  {predicted,12:F2}  {100 * (predicted - measured) / measured,7:F1}"));
        }

        var errors = rows.Select(r => Math.Abs(r.Predicted - r.Measured) / r.Measured * 100).ToArray();
        Console.WriteLine(Invariant($"table: {table.Entries} layer shapes timed in {tableClock.Elapsed.TotalSeconds:F1} s ({table.Hits} lookups answered from it); models timed in {modelClock.Elapsed.TotalSeconds:F1} s"));
        Console.WriteLine(Invariant($"absolute error of the table's prediction: mean {errors.Average():F1} %, median {TimingStatistics.Of(errors).Median:F1} %, max {errors.Max():F1} %"));
        Console.WriteLine(Invariant($"Spearman rank correlation with measured latency: table {Spearman(rows.Select(r => r.Predicted).ToArray(), rows.Select(r => r.Measured).ToArray()):F3}, 1/MACs x {Spearman(rows.Select(r => 1 / r.Macs).ToArray(), rows.Select(r => r.Measured).ToArray()):F3}"));
        return 0;
    }

    private static int Nearest(int[] ladder, double target) => ladder.MinBy(w => Math.Abs(w - target));

    private static double Spearman(double[] a, double[] b)
    {
        var ra = Ranks(a);
        var rb = Ranks(b);
        var ma = ra.Average();
        var mb = rb.Average();
        var cov = ra.Zip(rb).Sum(p => (p.First - ma) * (p.Second - mb));
        var va = ra.Sum(x => (x - ma) * (x - ma));
        var vb = rb.Sum(x => (x - mb) * (x - mb));
        return va <= 0 || vb <= 0 ? double.NaN : cov / Math.Sqrt(va * vb);
    }

    private static double[] Ranks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]])
            {
                j++;
            }

            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = (i + j) / 2.0;
            }

            i = j + 1;
        }

        return ranks;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
