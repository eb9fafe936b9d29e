using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Contracts;
using PrunerCluster.Pruning.Evaluation;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Recovery;

/// <summary>
/// Re-times every member of a finished search's Pareto set (no fine-tuning: latency depends on the shrunk architecture
/// only) the way the search timed it: alone on the device through the timing gate, repeated until the median's confidence
/// interval meets the spec's target; then <see cref="FrontRemeasurement"/> recomputes the front. Synchronous and
/// TorchSharp-bound: call it on a dedicated thread.
/// </summary>
public static class FrontRemeasurer
{
    public static RemeasuredFront Run(TorchSharpEvaluationBackend backend, ExperimentSpec spec, ParetoSet pareto, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(pareto);
        ArgumentNullException.ThrowIfNull(log);
        var clock = Stopwatch.StartNew();
        log(string.Create(CultureInfo.InvariantCulture, $"re-measuring the latency of {pareto.Entries.Count} Pareto member(s), each alone on the device"));
        Func<EvaluationSettings, EvaluationSettings> timingOnly = s => s with { FineTuneSteps = 0, RecalibrationBatches = 0, ValidationSamples = 1, EnergyWindow = TimeSpan.Zero };

        // One untimed pass first: the first timing on this fresh thread after the search ran up to 2x slow in our runs.
        if (pareto.Entries.Count > 0)
        {
            backend.EvaluateMask(spec, pareto.Entries[0].MaskText, timingOnly, null, cancellationToken);
        }

        var retimed = new List<IReadOnlyDictionary<string, double>?>();
        foreach (var entry in pareto.Entries)
        {
            var result = backend.EvaluateMask(spec, entry.MaskText, timingOnly, null, cancellationToken);
            var ok = result.Succeeded && result.Metrics.ContainsKey(MetricNames.LatencyMs);
            retimed.Add(ok ? result.Metrics : null);
            if (!ok)
            {
                log($"  {Short(entry.MaskHash)}: re-timing FAILED ({result.FailureReason ?? "no latency"}); keeping the search-time figure");
            }
        }

        var front = FrontRemeasurement.Recompute(pareto, spec.Constraints, retimed) with { Seconds = clock.Elapsed.TotalSeconds };
        foreach (var member in front.Members)
        {
            log(string.Create(CultureInfo.InvariantCulture, $"  {Short(member.Entry.MaskHash)}: latency {member.SearchLatencyMs:F2} ms in the search, {member.LatencyMs:F2} ms re-timed (+-{member.Metrics.GetValueOrDefault(MetricNames.LatencyCiPercent, double.NaN):F1} %){(member.Stays ? "" : "; LEAVES the front: " + member.LeftReason)}"));
        }

        log(string.Create(CultureInfo.InvariantCulture, $"re-measurement: {front.Pareto.Entries.Count} of {pareto.Entries.Count} member(s) stay on the front ({front.Seconds:F0} s)"));
        return front;
    }

    internal static string Short(string hash) => hash[..Math.Min(12, hash.Length)];
}
