using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Client.Output;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Grains.Coordination;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Engine.Recovery;

/// <summary>
/// After a search: recovers the chosen Pareto members and the unpruned model with the same longer fine-tuning budget,
/// scores them on the test set and re-times them; members whose re-measured metrics are dominated leave the final front.
/// Each member is labelled with its rank in the Pareto table (<see cref="ParetoReport.Ordered"/>), the number
/// <c>export --pick</c> takes, and the members are listed in that order. Synchronous and TorchSharp-bound: call it on a dedicated thread.
/// </summary>
public static class FinalRecoveryRunner
{
    public static FinalRecoveryResult Run(
        TorchSharpEvaluationBackend backend,
        ExperimentSpec spec,
        ParetoSet pareto,
        string? exportRoot,
        Action<string> log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(pareto);
        ArgumentNullException.ThrowIfNull(log);
        var recovery = spec.FinalRecovery ?? new FinalRecoverySettings();
        var clock = Stopwatch.StartNew();
        var front = ParetoReport.Ordered(pareto);
        var ranks = front.Select((e, i) => (e.MaskHash, Rank: i + 1)).GroupBy(p => p.MaskHash, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(p => p.Rank), StringComparer.Ordinal);
        var unprunedMacs = pareto.BaselineMetrics.TryGetValue(MetricNames.Macs, out var macs) ? macs : (double?)null;
        var chosen = FinalRecoverySelection.Members(front, recovery, unprunedMacs).OrderBy(e => ranks[e.MaskHash]).ToList();
        log(string.Create(CultureInfo.InvariantCulture, $"final recovery: {chosen.Count} of {front.Count} Pareto member(s) and the unpruned model, {recovery.FineTuneSteps} fine-tune steps each, scored on the test set"));

        var full = Genome.Full(backend.LayoutOf(spec, cancellationToken));
        var unpruned = Recover(backend, spec, new RecoveredMember { Label = "unpruned", MaskText = full.ToCanonicalString(), MaskHash = full.ContentHash }, null, log, cancellationToken);
        var members = new List<RecoveredMember>();
        for (var i = 0; i < chosen.Count; i++)
        {
            var rank = ranks[chosen[i].MaskHash];
            var label = string.Create(CultureInfo.InvariantCulture, $"#{rank}");
            var export = exportRoot is null ? null : Path.Combine(exportRoot, string.Create(CultureInfo.InvariantCulture, $"member-{rank:D2}-{chosen[i].MaskHash[..12]}"));
            members.Add(Recover(backend, spec, RecoveredMember.From(chosen[i], label), export, log, cancellationToken));
        }

        var onFront = FinalRecoverySelection.NonDominated(spec.Objectives, [.. members.Select(m => m.Succeeded ? m.Metrics : new Dictionary<string, double>())]);
        members = [.. members.Select((m, i) => m with { OnFinalFront = onFront[i] })];
        return new FinalRecoveryResult
        {
            Unpruned = unpruned with { OnFinalFront = true },
            Members = members,
            FineTuneSteps = recovery.FineTuneSteps,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    private static RecoveredMember Recover(TorchSharpEvaluationBackend backend, ExperimentSpec spec, RecoveredMember member, string? export, Action<string> log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var result = backend.Recover(spec, member.MaskText, export, ct);
        var recovered = member with
        {
            Succeeded = result.Succeeded,
            FailureReason = result.FailureReason,
            Metrics = result.Metrics,
            ExportDirectory = result.ExportDirectory,
            Seconds = clock.Elapsed.TotalSeconds,
        };
        log(result.Succeeded
            ? string.Create(CultureInfo.InvariantCulture, $"  {member.Label} {member.MaskHash[..12]}: test accuracy {recovered.Metric(MetricNames.Accuracy):P2}, latency {recovered.Metric(MetricNames.LatencyMs):F2} ms ({recovered.Seconds:F0} s)")
            : $"  {member.Label} {member.MaskHash[..12]}: FAILED {result.FailureReason}");
        return recovered;
    }
}
