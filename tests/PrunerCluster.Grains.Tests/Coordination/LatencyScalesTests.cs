using PrunerCluster.Contracts;
using PrunerCluster.Grains.Coordination;

namespace PrunerCluster.Grains.Tests.Coordination;

[Trait("Category", "Unit")]
public sealed class LatencyScalesTests
{
    private static Dictionary<string, double> Timed(double ratio, double ownReference) => new(StringComparer.Ordinal)
    {
        [MetricNames.Accuracy] = 0.9,
        [MetricNames.LatencyRatio] = ratio,
        [MetricNames.LatencyReferenceMs] = ownReference,
        [MetricNames.LatencyMs] = ratio * ownReference,
        [MetricNames.LatencyP90Ms] = ratio * ownReference * 1.1,
        [MetricNames.Throughput] = 64 / (ratio * ownReference / 1000),
    };

    [Fact]
    public void The_first_result_of_a_class_fixes_its_scale_and_later_silos_are_rescaled_to_it()
    {
        var scales = new Dictionary<string, double>(StringComparer.Ordinal);
        var first = Timed(0.5, 20);
        Assert.Same(first, LatencyScales.Apply(scales, "cpu-x64-2c", first));
        Assert.Equal(20, scales["cpu-x64-2c"]);

        // The same architecture timed on a slower process of the same class: same ratio, larger own reference.
        var second = LatencyScales.Apply(scales, "cpu-x64-2c", Timed(0.5, 26));
        Assert.Equal(10, second[MetricNames.LatencyMs], 9);
        Assert.Equal(20, second[MetricNames.LatencyReferenceMs]);
        Assert.Equal(11, second[MetricNames.LatencyP90Ms], 9);
        Assert.Equal(6400, second[MetricNames.Throughput], 6);
        Assert.Equal(0.9, second[MetricNames.Accuracy]);
    }

    [Fact]
    public void Classes_keep_their_own_scales_and_results_timed_alone_are_untouched()
    {
        var scales = new Dictionary<string, double>(StringComparer.Ordinal) { ["cpu-x64-2c"] = 20 };
        var gpu = LatencyScales.Apply(scales, "nvidia-h100", Timed(0.4, 2));
        Assert.Equal(0.8, gpu[MetricNames.LatencyMs], 9);
        Assert.Equal(2, scales["nvidia-h100"]);

        var alone = new Dictionary<string, double> { [MetricNames.LatencyMs] = 33 };
        Assert.Same(alone, LatencyScales.Apply(scales, "cpu-x64-2c", alone));
        Assert.Equal(2, scales.Count);
    }

    [Fact]
    public void The_prepared_baseline_seeds_the_class_it_was_prepared_on()
    {
        var scales = new Dictionary<string, double>(StringComparer.Ordinal);
        var prepared = new PreparedExperiment
        {
            Segments = [],
            CheckpointHash = "c",
            SettingsHash = "s",
            BaselineMetrics = new Dictionary<string, double> { [MetricNames.LatencyReferenceMs] = 18 },
        };
        LatencyScales.SeedFromPrepared(scales, prepared, "cpu-x64-2c");
        LatencyScales.SeedFromPrepared(scales, prepared with { BaselineMetrics = new Dictionary<string, double>() }, "other");
        Assert.Equal(new Dictionary<string, double> { ["cpu-x64-2c"] = 18 }, scales);
        Assert.Equal(9, LatencyScales.Apply(scales, "cpu-x64-2c", Timed(0.5, 24))[MetricNames.LatencyMs], 9);
    }

    [Fact]
    public async Task Booked_results_from_two_silos_of_one_class_share_one_latency_scale_in_the_ledger()
    {
        var h = await CoordinationHarness.CreateAsync();
        var plan = h.Plan("a", "b");
        var (first, second) = (plan.Dispatch[0], plan.Dispatch[1]);
        EvaluationOutcome WithLatency(EvaluationOutcome o, double reference) => o with
        {
            DeviceClass = "cpu-x64-2c",
            Metrics = new Dictionary<string, double>(o.Metrics) { [MetricNames.LatencyRatio] = 0.5, [MetricNames.LatencyReferenceMs] = reference, [MetricNames.LatencyMs] = 0.5 * reference },
        };

        Assert.True(h.Books.Completed(first.Key, WithLatency(h.Evaluate(first, "a"), 20)));
        Assert.True(h.Books.Completed(second.Key, WithLatency(h.Evaluate(second, "b"), 30)));
        Assert.Equal(10, h.Ledger.Find(first.CandidateId)!.Metrics[MetricNames.LatencyMs], 9);
        Assert.Equal(10, h.Ledger.Find(second.CandidateId)!.Metrics[MetricNames.LatencyMs], 9);
        Assert.Equal(20, h.State.LatencyScales["cpu-x64-2c"]);
    }
}
