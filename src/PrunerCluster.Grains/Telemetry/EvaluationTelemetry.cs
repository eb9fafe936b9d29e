using System.Diagnostics;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Evaluation;

namespace PrunerCluster.Grains.Telemetry;

/// <summary>
/// Telemetry of one evaluation on its slot thread: the evaluate span (a child of the coordinator's evaluation span, whose
/// context reached the individual grain through Orleans' activity propagation), one child span per phase the backend
/// measured, the started/completed/failed counters and the duration histogram by phase, all tagged with experiment,
/// silo and device.
/// </summary>
internal static class EvaluationTelemetry
{
    /// <summary>Backend phases in the order they run; phases not listed follow in name order.</summary>
    private static readonly string[] PhaseOrder = ["load", "fetch_artifact", "baseline", "apply", "apply_mask", "warm_start", "recalibrate", "teacher", "lr_search", "rebuild_batchnorm", "fine_tune", "validate", "latency", "energy", "export"];

    public static EvaluationOutcome Run(IEvaluationBackend backend, EvaluationRequest request, SlotContext slot, ActivityContext parent, CancellationToken cancellationToken) =>
        Run(ct => backend.Evaluate(request, slot, ct), request, slot, parent, cancellationToken);

    /// <summary>Runs <paramref name="evaluate"/> (e.g. one classified attempt under its deadline) inside the evaluation's telemetry.</summary>
    public static EvaluationOutcome Run(Func<CancellationToken, EvaluationOutcome> evaluate, EvaluationRequest request, SlotContext slot, ActivityContext parent, CancellationToken cancellationToken)
    {
        var tags = new TagList
        {
            { PrunerClusterTelemetry.AttributeExperiment, request.ExperimentId },
            { PrunerClusterTelemetry.AttributeSilo, slot.Silo },
            { PrunerClusterTelemetry.AttributeDevice, slot.Device },
        };
        PrunerClusterTelemetry.Started.Add(1, tags);
        var clock = Stopwatch.StartNew();
        using var activity = PrunerClusterTelemetry.ActivitySource.StartActivity(PrunerClusterTelemetry.ActivityEvaluate, ActivityKind.Internal, parent);
        if (activity is not null)
        {
            activity.SetTag(PrunerClusterTelemetry.AttributeExperiment, request.ExperimentId);
            activity.SetTag(PrunerClusterTelemetry.AttributeIndividual, request.Key.Value);
            activity.SetTag(PrunerClusterTelemetry.AttributeCandidate, request.CandidateId);
            activity.SetTag(PrunerClusterTelemetry.AttributeSilo, slot.Silo);
            activity.SetTag(PrunerClusterTelemetry.AttributeDevice, slot.Device);
            activity.SetTag(PrunerClusterTelemetry.AttributeSlot, slot.SlotIndex);
        }

        EvaluationOutcome outcome;
        try
        {
            outcome = evaluate(cancellationToken);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            Finish(tags, clock.Elapsed, succeeded: false);
            throw;
        }

        if (activity is not null)
        {
            activity.SetTag(PrunerClusterTelemetry.AttributeOutcome, outcome.Succeeded ? "succeeded" : "failed");
            if (!outcome.Succeeded)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome.FailureReason);
            }

            PhaseSpans(activity, request, slot, outcome.PhaseSeconds, activity.StartTimeUtc);
        }

        foreach (var (phase, seconds) in outcome.PhaseSeconds)
        {
            var phaseTags = tags;
            phaseTags.Add(PrunerClusterTelemetry.AttributePhase, phase);
            PrunerClusterTelemetry.Duration.Record(seconds, phaseTags);
        }

        Finish(tags, clock.Elapsed, outcome.Succeeded);
        return outcome;
    }

    /// <summary>
    /// The backend measures each phase's duration (a phase may run in several pieces, e.g. mask application before and
    /// after fine-tuning); each becomes a child span of that measured length, laid end to end from the evaluation's start
    /// in the order phases run.
    /// </summary>
    private static void PhaseSpans(Activity parent, EvaluationRequest request, SlotContext slot, IReadOnlyDictionary<string, double> phases, DateTime start)
    {
        var at = start;
        foreach (var (phase, seconds) in phases.Where(p => p.Key != PrunerClusterTelemetry.PhaseTotal).OrderBy(p => Rank(p.Key)).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            var duration = TimeSpan.FromSeconds(Math.Max(0, seconds));
            using var span = PrunerClusterTelemetry.ActivitySource.StartActivity(
                PrunerClusterTelemetry.ActivityPhase,
                ActivityKind.Internal,
                parent.Context,
                [
                    new(PrunerClusterTelemetry.AttributePhase, phase),
                    new(PrunerClusterTelemetry.AttributeExperiment, request.ExperimentId),
                    new(PrunerClusterTelemetry.AttributeIndividual, request.Key.Value),
                    new(PrunerClusterTelemetry.AttributeSilo, slot.Silo),
                    new(PrunerClusterTelemetry.AttributeDevice, slot.Device),
                ],
                startTime: at);
            if (span is null)
            {
                continue;
            }

            span.DisplayName = PrunerClusterTelemetry.ActivityPhase + " " + phase;
            at += duration;
            span.SetEndTime(at);
        }
    }

    private static int Rank(string phase)
    {
        var index = Array.IndexOf(PhaseOrder, phase);
        return index < 0 ? PhaseOrder.Length : index;
    }

    private static void Finish(TagList tags, TimeSpan elapsed, bool succeeded)
    {
        var total = tags;
        total.Add(PrunerClusterTelemetry.AttributePhase, PrunerClusterTelemetry.PhaseTotal);
        PrunerClusterTelemetry.Duration.Record(elapsed.TotalSeconds, total);
        PrunerClusterTelemetry.Completed.Add(1, tags);
        if (!succeeded)
        {
            PrunerClusterTelemetry.Failed.Add(1, tags);
        }
    }
}
