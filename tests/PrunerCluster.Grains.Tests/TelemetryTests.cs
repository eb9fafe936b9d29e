using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Slots;
using PrunerCluster.Grains.Telemetry;
using Xunit.Abstractions;
using T = PrunerCluster.Grains.Telemetry.PrunerClusterTelemetry;

namespace PrunerCluster.Grains.Tests;

/// <summary>
/// A short synthetic search on a three-silo cluster with OpenTelemetry's in-memory exporters: the trace runs from the
/// client's span through the experiment and evaluation spans to the slot's phase spans, and the counters, histogram and
/// gauges carry experiment, silo and device attributes. Other tests in this process emit telemetry too, so everything is
/// selected by this test's trace, experiment ids and silos.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class TelemetryTests(ITestOutputHelper output)
{
    private static readonly ActivitySource Client = new("PrunerCluster.Tests.Client");

    [Fact]
    public async Task A_search_traces_client_to_phase_and_meters_evaluations_slots_and_experiment_gauges()
    {
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(Client.Name, T.ActivitySourceName)
            .AddSource([.. T.OrleansActivitySources])
            .AddInMemoryExporter(spans)
            .Build();
        using var meter = Sdk.CreateMeterProviderBuilder()
            .AddMeter(T.MeterName)
            .AddInMemoryExporter(metrics)
            .Build();
        await using var cluster = await TestClusters.StartAsync([0, 2, 2]);
        var slotSilos = cluster.Silos.Where(s => s.Executor().Slots > 0).Select(s => s.SiloAddress.ToParsableString()).ToHashSet(StringComparer.Ordinal);
        const int budget = 24;

        string id;
        ActivityTraceId traceId;
        using (var root = Client.StartActivity("client submit", ActivityKind.Client))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            id = await cluster.Client.SubmitAsync(TestClusters.Spec("telemetry", population: 8, maxEvaluations: budget, durationMs: 300, salt: "telemetry-" + Guid.NewGuid()));
        }

        var experiment = cluster.Client.GetExperiment(id);
        await TestClusters.WaitUntilAsync(async () => (await experiment.GetStatus()).Evaluated >= 6, TimeSpan.FromSeconds(60));

        // Mid-search: the gauges are observed now, with live values.
        var drained = cluster.Silos.Single(s => s.Name == "Silo_2");
        await TestClusters.WaitUntilAsync(() => Task.FromResult(drained.Executor().Queued > 0), TimeSpan.FromSeconds(30));
        meter.ForceFlush();

        // Evaluations queued ahead on a silo hold leases, not slots: the share status reports is in slots (2 silos x 2).
        var mid = await experiment.GetStatus();
        Assert.InRange(mid.SlotShare, 1, 4);
        var busy = Points(metrics, T.SlotsBusy).Where(p => slotSilos.Contains(Tag(p, T.AttributeSilo))).ToList();
        Assert.Equal(2, busy.Count);
        Assert.All(busy, p => Assert.Equal("cpu", Tag(p, T.AttributeDevice)));
        Assert.Contains(busy, p => p.GetGaugeLastValueLong() > 0);
        var total = Points(metrics, T.SlotsTotal).Where(p => slotSilos.Contains(Tag(p, T.AttributeSilo))).ToList();
        Assert.Equal(new long[] { 2, 2 }, total.Select(p => p.GetGaugeLastValueLong()));
        Assert.Contains(Points(metrics, T.SlotQueueLength), p => Tag(p, T.AttributeSilo) == drained.SiloAddress.ToParsableString());
        Assert.Contains(Points(metrics, T.ExperimentInFlight), p => Tag(p, T.AttributeExperiment) == id && p.GetGaugeLastValueDouble() > 0);
        Assert.Contains(Points(metrics, T.ExperimentQueueDepth), p => Tag(p, T.AttributeExperiment) == id);
        Assert.Contains(Points(metrics, T.ExperimentSlotShare), p => Tag(p, T.AttributeExperiment) == id && p.GetGaugeLastValueDouble() > 0);
        Assert.Contains(Points(metrics, T.ExperimentCacheHitRatio), p => Tag(p, T.AttributeExperiment) == id);
        Assert.Contains(Points(metrics, T.ExperimentHypervolume), p => Tag(p, T.AttributeExperiment) == id && p.GetGaugeLastValueDouble() > 0);

        // Drain one silo: its queued evaluations come back and are re-issued (the re-issue counter, reason handed-back).
        var drain = await drained.ServiceProvider.GetRequiredService<SiloDrain>().DrainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        output.WriteLine($"drain: {drain}; running {drained.Executor().Running}, queued {drained.Executor().Queued}, outstanding {drained.Executor().Outstanding}");
        Assert.True(drain.HandedBack > 0);
        Assert.True(drain.AllFinished);

        var status = await cluster.Client.WaitAsync(id, TimeSpan.FromSeconds(120));
        Assert.Equal(ExperimentState.Completed, status.State);
        Assert.Equal(budget, status.Evaluated);

        // An identical experiment is answered from the cache.
        var again = await cluster.Client.SubmitAsync(TestClusters.Spec("telemetry-again", population: 8, maxEvaluations: budget, durationMs: 300, salt: (await experiment.GetSpec())!.Synthetic!.Salt));
        var againStatus = await cluster.Client.WaitAsync(again, TimeSpan.FromSeconds(60));
        Assert.True(againStatus.CacheHits > 0);

        tracer.ForceFlush();
        meter.ForceFlush();

        // Metrics: counters and the phase histogram by experiment, silo and device.
        var ledger = await experiment.GetEvaluations();
        Assert.Equal(budget, Sum(metrics, T.EvaluationsStarted, id));
        Assert.Equal(budget, Sum(metrics, T.EvaluationsCompleted, id));
        Assert.Equal(ledger.Count(r => !r.Succeeded), Sum(metrics, T.EvaluationsFailed, id));
        Assert.Equal(status.Reissued, Sum(metrics, T.EvaluationsReissued, id));
        Assert.Contains(Points(metrics, T.EvaluationsReissued), p => Tag(p, T.AttributeExperiment) == id && Tag(p, T.AttributeReason) == "handed-back");
        Assert.Equal(againStatus.CacheHits, Sum(metrics, T.EvaluationCacheHits, again));
        Assert.All(Points(metrics, T.EvaluationsStarted).Where(p => Tag(p, T.AttributeExperiment) == id), p =>
        {
            Assert.Contains(Tag(p, T.AttributeSilo), slotSilos);
            Assert.Equal("cpu", Tag(p, T.AttributeDevice));
        });
        var durations = Points(metrics, T.EvaluationDuration).Where(p => Tag(p, T.AttributeExperiment) == id).ToList();
        Assert.Equal(budget, durations.Where(p => Tag(p, T.AttributePhase) == T.PhaseTotal).Sum(p => p.GetHistogramCount()));
        foreach (var phase in new[] { "load", "apply", "fine_tune", "validate", "latency" })
        {
            Assert.Equal(budget, durations.Where(p => Tag(p, T.AttributePhase) == phase).Sum(p => p.GetHistogramCount()));
        }

        // Traces: client -> experiment -> evaluation -> (Orleans calls) -> evaluate on the slot -> phases.
        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        var byId = trace.ToDictionary(s => s.SpanId);
        var experimentSpan = Assert.Single(trace, s => s.OperationName == T.ActivityExperiment);
        Assert.Equal(id, experimentSpan.GetTagItem(T.AttributeExperiment));
        Assert.Contains(Ancestors(experimentSpan, byId), s => s.Source.Name == Client.Name);
        var evaluations = trace.Where(s => s.OperationName == T.ActivityEvaluation).ToList();
        Assert.Equal(budget, evaluations.Count);
        Assert.All(evaluations, e =>
        {
            Assert.Equal(experimentSpan.SpanId, e.ParentSpanId);
            Assert.False(string.IsNullOrEmpty(e.GetTagItem(T.AttributeIndividual) as string));
            Assert.IsType<bool>(e.GetTagItem(T.AttributeCacheHit));
            Assert.Contains(e.GetTagItem(T.AttributeSilo) as string ?? "", slotSilos);
        });
        // A candidate whose individual another candidate of the same experiment already evaluated (a duplicate mask, or
        // a handed-back one whose first run finished) is answered from that individual: the span says so, as the status does.
        Assert.Equal(status.CacheHits, evaluations.Count(e => e.GetTagItem(T.AttributeCacheHit) is true));
        var evaluates = trace.Where(s => s.OperationName == T.ActivityEvaluate).ToList();
        Assert.Equal(budget, evaluates.Count);
        Assert.All(evaluates, e =>
        {
            var chain = Ancestors(e, byId).ToList();
            Assert.Contains(chain, a => a.OperationName == T.ActivityEvaluation && (string?)a.GetTagItem(T.AttributeIndividual) == (string?)e.GetTagItem(T.AttributeIndividual));
            Assert.Contains(chain, a => a.Source.Name == "Microsoft.Orleans.Application");
            Assert.Equal(experimentSpan.SpanId, chain.Single(a => a.OperationName == T.ActivityExperiment).SpanId);
            Assert.Equal(id, e.GetTagItem(T.AttributeExperiment));
            Assert.Contains(e.GetTagItem(T.AttributeSilo) as string ?? "", slotSilos);
            Assert.Equal("cpu", e.GetTagItem(T.AttributeDevice));
        });
        var phases = trace.Where(s => s.OperationName == T.ActivityPhase).ToList();
        Assert.Equal(budget * 5, phases.Count);
        Assert.All(phases, p =>
        {
            var parent = byId[p.ParentSpanId];
            Assert.Equal(T.ActivityEvaluate, parent.OperationName);
            Assert.True(p.StartTimeUtc >= parent.StartTimeUtc && p.Duration > TimeSpan.Zero);
            Assert.Equal(parent.GetTagItem(T.AttributeSilo), p.GetTagItem(T.AttributeSilo));
        });

        // The cached experiment's evaluation spans say so.
        var cached = spans.Where(s => s.OperationName == T.ActivityEvaluation && (string?)s.GetTagItem(T.AttributeExperiment) == again).ToList();
        Assert.NotEmpty(cached);
        Assert.Contains(cached, s => Equals(s.GetTagItem(T.AttributeCacheHit), true));
        output.WriteLine($"{trace.Count} spans in the trace; reissued {status.Reissued}; cache hits {againStatus.CacheHits}");
    }

    private static IEnumerable<Activity> Ancestors(Activity span, Dictionary<ActivitySpanId, Activity> byId)
    {
        var current = span;
        while (current.ParentSpanId != default && byId.TryGetValue(current.ParentSpanId, out var parent))
        {
            yield return parent;
            current = parent;
        }
    }

    /// <summary>Points of the latest export of <paramref name="name"/>.</summary>
    private static List<MetricPoint> Points(List<MetricSnapshot> metrics, string name) =>
        metrics.LastOrDefault(m => m.Name == name)?.MetricPoints.ToList() ?? [];

    private static long Sum(List<MetricSnapshot> metrics, string name, string experimentId) =>
        Points(metrics, name).Where(p => Tag(p, T.AttributeExperiment) == experimentId).Sum(p => p.GetSumLong());

    private static string Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString() ?? "";
            }
        }

        return "";
    }
}
