using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PrunerCluster.Grains.Telemetry;

/// <summary>What an experiment's coordinator last published for its gauges.</summary>
internal sealed record ExperimentGaugeValues(int QueueDepth, int InFlight, double SlotShare, double CacheHitRatio, double? Hypervolume);

/// <summary>
/// Latest gauge values of the experiments coordinated in this process. Coordinators publish after each scheduling pass and
/// withdraw when they finish or deactivate, so each experiment is observed on exactly one silo.
/// </summary>
internal static class ExperimentGauges
{
    private static readonly ConcurrentDictionary<string, ExperimentGaugeValues> Experiments = new(StringComparer.Ordinal);

    public static void Publish(string experimentId, ExperimentGaugeValues values) => Experiments[experimentId] = values;

    public static void Withdraw(string experimentId) => Experiments.TryRemove(experimentId, out _);

    public static IEnumerable<Measurement<double>> Observe(Func<ExperimentGaugeValues, double> select) =>
        Experiments.Select(e => new Measurement<double>(select(e.Value), Tag(e.Key)));

    public static IEnumerable<Measurement<double>> ObserveHypervolume() =>
        Experiments.Where(e => e.Value.Hypervolume is not null).Select(e => new Measurement<double>(e.Value.Hypervolume!.Value, Tag(e.Key)));

    private static KeyValuePair<string, object?> Tag(string experimentId) => new(PrunerClusterTelemetry.AttributeExperiment, experimentId);
}
