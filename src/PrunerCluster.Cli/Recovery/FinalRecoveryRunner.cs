using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Contracts;
using PrunerCluster.Evolution;
using PrunerCluster.Silo.Backends;

namespace PrunerCluster.Cli.Recovery;

/// <summary>
/// After a search: recovers the chosen Pareto members and the unpruned model with the same longer fine-tuning budget,
/// scores them on the test set and re-times them; members whose re-measured metrics are dominated leave the final front.
/// Synchronous and TorchSharp-bound: call it on a dedicated thread.
/// </summary>
public static class FinalRecoveryRunner
{
    public static FinalRecoveryResult Run(
        TorchSharpEvaluationBackend backend,
        ExperimentSpec spec,
        IReadOnlyList<ParetoEntry> front,
        string? exportRoot,
        Action<string> log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(front);
        ArgumentNullException.ThrowIfNull(log);
        var recovery = spec.FinalRecovery ?? new FinalRecoverySettings();
        var clock = Stopwatch.StartNew();
        var chosen = FinalRecoveryPlan.Members(front, recovery);
        log(string.Create(CultureInfo.InvariantCulture, $"final recovery: {chosen.Count} of {front.Count} Pareto member(s) and the unpruned model, {recovery.FineTuneSteps} fine-tune steps each, scored on the test set"));

        var full = Genome.Full(backend.LayoutOf(spec, cancellationToken));
        var unpruned = Recover(backend, spec, new RecoveredMember { Label = "unpruned", MaskText = full.ToCanonicalString(), MaskHash = full.ContentHash }, null, log, cancellationToken);
        var members = new List<RecoveredMember>();
        for (var i = 0; i < chosen.Count; i++)
        {
            var label = string.Create(CultureInfo.InvariantCulture, $"#{i + 1}");
            var export = exportRoot is null ? null : Path.Combine(exportRoot, string.Create(CultureInfo.InvariantCulture, $"member-{i + 1:D2}-{chosen[i].MaskHash[..12]}"));
            members.Add(Recover(backend, spec, RecoveredMember.From(chosen[i], label), export, log, cancellationToken));
        }

        var onFront = FinalRecoveryPlan.NonDominated(spec.Objectives, [.. members.Select(m => m.Succeeded ? m.Metrics : new Dictionary<string, double>())]);
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
