using System.Globalization;
using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Criteria;
using PrunerCluster.Pruning.Data;
using PrunerCluster.Pruning.Masking;
using PrunerCluster.Pruning.Metrics;
using PrunerCluster.Pruning.Models;
using PrunerCluster.Pruning.Scheduling;
using PrunerCluster.Pruning.Structure;
using PrunerCluster.Pruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunerCluster.Benchmarks;

/// <summary>
/// Suite "rounding": how much of a MAC reduction shows up as CPU latency when kept channel counts are exact, or rounded
/// up to multiples of 8 or 16. The main job's VGG is pruned uniformly (every group keeps its most important channels by
/// BatchNorm scale) at several keep fractions; each shrunk model, BatchNorm folded as it is deployed, is timed in
/// alternation with the unpruned one (the search's paired timing, exclusive window, oneDNN convolutions as when a search
/// times). It prints the widths, MACs and latency reductions, the share of the MAC reduction that latency keeps, and how
/// many of <c>--fault-passes</c> training passes (forward and backward of one batch of 64, no update) produced non-finite
/// values, and their mean time (ms/pass): on hosts whose oneDNN returns sporadic NaNs
/// (src/PrunerCluster.Pruning/README.md, "Numeric faults") those depend on the channel counts; run it with
/// PRUNERCLUSTER_ONEDNN=on, pad and off to compare the three ways to compute them.
/// Options: --cache DIR (default ~/.cache/prunercluster/checkpoints), --threads N (default 2), --fault-passes N (default 40),
/// --keep 0.25,0.35,... (keep fractions).
/// </summary>
internal static class RoundingSuite
{
    public static int Run(string[] args)
    {
        var threads = PruningSuite.Number(args, "--threads") ?? 2;
        var faultPasses = PruningSuite.Number(args, "--fault-passes") ?? 40;
        var keeps = (PruningSuite.Text(args, "--keep") ?? "0.25,0.35,0.45,0.55,0.65,0.8")
            .Split(',').Select(k => double.Parse(k, CultureInfo.InvariantCulture)).ToArray();
        TorchRuntime.Initialize(threads);
        Console.WriteLine(Invariant($"rounding suite: {Environment.ProcessorCount} cores visible, torch threads {threads}, oneDNN {ConvolutionBackend.Process.OneDnnEnabled}, channels padded {ConvolutionBackend.Process.PadsChannels}"));

        var baseline = SuiteBaseline.Load(args, threads);
        var (data, policy) = (baseline.Data, baseline.Policy);
        using var full = baseline.LoadModel();
        using var reference = InferenceForm.Fold(full);
        reference.eval();
        var baseMacs = (double)ModelFootprint.Of(full).Macs;
        var groups = PruningStructure.Analyze(full);
        var ranking = Importance.Rank(full, ImportanceCriterion.BatchNormScale);

        Console.WriteLine("keep  round  widths                          MACs x  latency x  latency x / MACs x  +-CI %  faulty passes  ms/pass");
        foreach (var keep in keeps)
        {
            foreach (var roundTo in new[] { 0, 8, 16 })
            {
                var kept = MaskApplier.Resolve(full, PruneMask.FromRanking(groups, ranking, keep), EmptyGroupPolicy.Repair, roundTo).Kept;
                using var pruned = MaskApplier.Shrink(full, kept);
                var macsX = baseMacs / ModelFootprint.Of(pruned).Macs;
                pruned.eval();
                using var folded = InferenceForm.Fold(pruned);
                folded.eval();
                PairedLatencyReport report;
                using (var scope = torch.NewDisposeScope())
                using (TimingWindow.Open(baseline.Host.Gates.For("cpu"), torch.CPU, threads))
                using (ConvolutionBackend.Process.OptimizedForTiming())
                {
                    var (input, _) = data.Validation.GetBatch(0, 64, torch.CPU);
                    report = LatencyMeter.MeasurePaired(folded, reference, input, policy);
                }

                var clock = System.Diagnostics.Stopwatch.StartNew();
                var faults = CountFaults(pruned, data, faultPasses);
                var passMs = clock.Elapsed.TotalMilliseconds / Math.Max(1, faultPasses);
                var widths = string.Join("/", groups.Select(g => kept[g.Name].Length));
                var latencyX = 1.0 / report.Ratio;
                Console.WriteLine(Invariant($"{keep,4:F2}  {(roundTo == 0 ? "exact" : roundTo.ToString(CultureInfo.InvariantCulture)),5}  {widths,-30}  {macsX,6:F2}  {latencyX,9:F2}  {latencyX / macsX,18:P0}  {report.RatioCiHalfWidthPercent,6:F1}  {faults}/{faultPasses}  {passMs,7:F1}"));
            }
        }

        return 0;
    }

    private static int CountFaults(ZooModel model, DataSplit data, int passes)
    {
        model.train();
        var faults = 0;
        for (var i = 0; i < passes; i++)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = data.Train.GetBatch(i * 64 % Math.Max(1, data.Train.Count - 64), 64, torch.CPU);
            var logits = model.call(x);
            var loss = nn.functional.cross_entropy(logits, y);
            model.zero_grad();
            loss.backward();
            var finite = logits.isfinite().all().item<bool>()
                && model.parameters().Select(p => p.grad).OfType<Tensor>().All(g => g.isfinite().all().item<bool>());
            if (!finite)
            {
                faults++;
            }
        }

        model.zero_grad();
        return faults;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
