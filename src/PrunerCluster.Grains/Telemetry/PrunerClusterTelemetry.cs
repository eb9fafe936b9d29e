using System.Diagnostics;
using System.Diagnostics.Metrics;
using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Telemetry;

/// <summary>
/// Every name PrunerCluster's telemetry uses: activity source, meter, instruments, span names and attribute keys (add the
/// source and meter to OpenTelemetry by these names; dashboards and alerts key on the instrument and attribute names).
/// </summary>
public static class PrunerClusterTelemetry
{
    public const string ActivitySourceName = TelemetryNames.ActivitySourceName;
    public const string MeterName = TelemetryNames.ActivitySourceName;

    /// <summary>Orleans' own meter and activity sources (see the Orleans telemetry docs).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    public static IReadOnlyList<string> OrleansActivitySources { get; } =
        [TelemetryNames.OrleansApplicationActivitySource, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Lifecycle", "Microsoft.Orleans.Storage"];

    public const string EvaluationsStarted = "prunercluster.evaluations.started";
    public const string EvaluationsCompleted = "prunercluster.evaluations.completed";
    public const string EvaluationsFailed = "prunercluster.evaluations.failed";
    public const string EvaluationsReissued = "prunercluster.evaluations.reissued";
    public const string EvaluationsHandedBack = "prunercluster.evaluations.handed_back";
    public const string EvaluationCacheHits = "prunercluster.evaluations.cache_hits";
    public const string EvaluationDuration = "prunercluster.evaluation.duration";
    public const string SlotQueueWait = "prunercluster.slot.queue_wait";
    public const string SlotsBusy = "prunercluster.slots.busy";
    public const string SlotsTotal = "prunercluster.slots.total";
    public const string SlotQueueLength = "prunercluster.slot.queue_length";
    public const string ExperimentQueueDepth = "prunercluster.experiment.queue_depth";
    public const string ExperimentInFlight = "prunercluster.experiment.in_flight";
    public const string ExperimentSlotShare = "prunercluster.experiment.slot_share";
    public const string ExperimentCacheHitRatio = "prunercluster.experiment.cache_hit_ratio";
    public const string ExperimentHypervolume = "prunercluster.experiment.hypervolume";

    /// <summary>A client submitting an experiment (the root of the experiment's trace; the client's source is <see cref="ClientActivitySourceName"/>).</summary>
    public const string ActivitySubmit = TelemetryNames.ActivitySubmit;

    /// <summary>Activity source of the command-line clients, whose spans parent the experiment span.</summary>
    public const string ClientActivitySourceName = TelemetryNames.ClientActivitySourceName;

    /// <summary>One experiment, from submission to its final state (a child of the submitting client's span).</summary>
    public const string ActivityExperiment = "prunercluster.experiment";

    /// <summary>One evaluation as the coordinator sees it: dispatch until its result (or cache hit) is booked.</summary>
    public const string ActivityEvaluation = "prunercluster.evaluation";

    /// <summary>The evaluation's run on a slot thread of a silo.</summary>
    public const string ActivityEvaluate = "prunercluster.evaluate";

    /// <summary>One phase of an evaluation on its slot (fetch artifact, apply mask, fine-tune, validate, latency...).</summary>
    public const string ActivityPhase = "prunercluster.phase";
    public const string ActivityPrepare = "prunercluster.prepare";

    public const string AttributeExperiment = TelemetryNames.AttributeExperiment;
    public const string AttributeIndividual = "prunercluster.individual.key";
    public const string AttributeCandidate = "prunercluster.candidate.id";
    public const string AttributeSilo = "prunercluster.silo";
    public const string AttributeDevice = "prunercluster.device";
    public const string AttributeSlot = "prunercluster.slot";
    public const string AttributeCacheHit = "prunercluster.cache_hit";
    public const string AttributePhase = "prunercluster.phase";
    public const string AttributeOutcome = "prunercluster.outcome";
    public const string AttributeReason = "prunercluster.reason";

    /// <summary>Phase name of the whole time an evaluation held its slot, beside the backend's own phases.</summary>
    public const string PhaseTotal = "total";

    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName);

    public static Meter Meter { get; } = new(MeterName);

    internal static Counter<long> Started { get; } = Meter.CreateCounter<long>(EvaluationsStarted, "{evaluation}", "Evaluations a slot thread began.");
    internal static Counter<long> Completed { get; } = Meter.CreateCounter<long>(EvaluationsCompleted, "{evaluation}", "Evaluations finished on a slot (failures included).");
    internal static Counter<long> Failed { get; } = Meter.CreateCounter<long>(EvaluationsFailed, "{evaluation}", "Evaluations that ended with a failure reason.");
    internal static Counter<long> Reissued { get; } = Meter.CreateCounter<long>(EvaluationsReissued, "{evaluation}", "In-flight evaluations dispatched again (silo gone, drained, lease ran out, dispatch failed).");
    internal static Counter<long> HandedBack { get; } = Meter.CreateCounter<long>(EvaluationsHandedBack, "{evaluation}", "Queued evaluations a draining silo handed back unstarted.");
    internal static Counter<long> CacheHits { get; } = Meter.CreateCounter<long>(EvaluationCacheHits, "{evaluation}", "Evaluations answered from an identical earlier one.");
    internal static Histogram<double> Duration { get; } = Meter.CreateHistogram<double>(EvaluationDuration, "s", "Time an evaluation spent in each phase on its slot ('total': the whole slot time).");
    internal static Histogram<double> QueueWait { get; } = Meter.CreateHistogram<double>(SlotQueueWait, "s", "Time an evaluation waited for a slot thread.");

    static PrunerClusterTelemetry()
    {
        Meter.CreateObservableGauge(SlotsBusy, () => SlotGauges.Observe(s => s.Busy), "{slot}", "Slots running an evaluation now, per silo and device.");
        Meter.CreateObservableGauge(SlotsTotal, () => SlotGauges.Observe(s => s.Total), "{slot}", "Evaluation slots, per silo and device.");
        Meter.CreateObservableGauge(SlotQueueLength, () => SlotGauges.ObserveQueues(), "{evaluation}", "Evaluations waiting in a silo's slot queue.");
        Meter.CreateObservableGauge(ExperimentQueueDepth, () => ExperimentGauges.Observe(e => e.QueueDepth), "{evaluation}", "Evaluations of an experiment waiting for a slot grant.");
        Meter.CreateObservableGauge(ExperimentInFlight, () => ExperimentGauges.Observe(e => e.InFlight), "{evaluation}", "Evaluations of an experiment dispatched and not yet booked.");
        Meter.CreateObservableGauge(ExperimentSlotShare, () => ExperimentGauges.Observe(e => e.SlotShare), "{slot}", "An experiment's weighted fair share of the cluster's slots.");
        Meter.CreateObservableGauge(ExperimentCacheHitRatio, () => ExperimentGauges.Observe(e => e.CacheHitRatio), "1", "Share of an experiment's booked evaluations answered from the cache.");
        Meter.CreateObservableGauge(ExperimentHypervolume, () => ExperimentGauges.ObserveHypervolume(), "1", "An experiment's current Pareto-front hypervolume.");
    }

    /// <summary>Touch to make sure the static instruments (observable gauges included) exist before a listener subscribes.</summary>
    public static void EnsureCreated() => _ = Started;
}
