using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PrunerCluster.Grains.Telemetry;

/// <summary>Names of PrunerCluster's activity source, meter and instruments (add them to OpenTelemetry by these names).</summary>
public static class PrunerClusterTelemetry
{
    public const string ActivitySourceName = "PrunerCluster";
    public const string MeterName = "PrunerCluster";

    public const string EvaluationsCompleted = "prunercluster.evaluations.completed";
    public const string EvaluationsFailed = "prunercluster.evaluations.failed";
    public const string EvaluationsReissued = "prunercluster.evaluations.reissued";
    public const string EvaluationCacheHits = "prunercluster.evaluations.cache_hits";
    public const string EvaluationDuration = "prunercluster.evaluation.duration";
    public const string SlotQueueWait = "prunercluster.slot.queue_wait";
    public const string SlotsBusy = "prunercluster.slots.busy";
    public const string SlotsTotal = "prunercluster.slots.total";
    public const string SlotQueueLength = "prunercluster.slot.queue_length";

    public const string ActivityEvaluate = "prunercluster.evaluate";
    public const string ActivityPrepare = "prunercluster.prepare";

    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName);

    public static Meter Meter { get; } = new(MeterName);

    internal static Counter<long> Completed { get; } = Meter.CreateCounter<long>(EvaluationsCompleted, "{evaluation}", "Evaluations finished on a slot.");
    internal static Counter<long> Failed { get; } = Meter.CreateCounter<long>(EvaluationsFailed, "{evaluation}", "Evaluations that ended with a failure reason.");
    internal static Counter<long> Reissued { get; } = Meter.CreateCounter<long>(EvaluationsReissued, "{evaluation}", "In-flight evaluations dispatched again after a lease ran out or a silo died.");
    internal static Counter<long> CacheHits { get; } = Meter.CreateCounter<long>(EvaluationCacheHits, "{evaluation}", "Evaluations answered from an identical earlier one.");
    internal static Histogram<double> Duration { get; } = Meter.CreateHistogram<double>(EvaluationDuration, "s", "Time an evaluation held its slot.");
    internal static Histogram<double> QueueWait { get; } = Meter.CreateHistogram<double>(SlotQueueWait, "s", "Time an evaluation waited for a slot thread.");
}
