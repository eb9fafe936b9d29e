using PrunerCluster.Client.Results;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests;

[Trait("Category", "Unit")]
public sealed class SearchComputeTests
{
    private static EvaluationRecord Record(long id, int? rung, int steps, double seconds, bool fromCache = false)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.ComputeTrainSamples] = steps * 64.0,
            [MetricNames.ComputeForwardSamples] = 1000,
        };
        if (rung is { } r)
        {
            metrics[MetricNames.FidelityRung] = r;
            metrics[MetricNames.FidelitySteps] = steps;
        }

        return new EvaluationRecord
        {
            CandidateId = id,
            IndividualKey = "k" + id,
            MaskHash = "m" + id,
            Succeeded = true,
            FromCache = fromCache,
            Metrics = metrics,
            PhaseSeconds = new Dictionary<string, double>(StringComparer.Ordinal) { ["total"] = seconds },
        };
    }

    [Fact]
    public void Compute_sums_slot_seconds_and_samples_and_splits_them_by_rung_leaving_cache_hits_out()
    {
        var compute = SearchCompute.Of(
        [
            Record(1, 0, 0, 2), Record(2, 0, 0, 3), Record(3, 0, 0, 2.5), Record(4, 1, 100, 6), Record(5, 0, 0, 99, fromCache: true),
        ]);
        Assert.Equal(13.5, compute.SlotSeconds, 9);
        Assert.Equal(6400, compute.TrainSamples);
        Assert.Equal(4000, compute.ForwardSamples);
        Assert.Equal([new RungCompute(0, 0, 3, 7.5), new RungCompute(1, 100, 1, 6)], compute.Rungs);
        Assert.Equal("compute: 14 slot-s, 0.01 M samples forward+backward, 0.00 M forward only; by rung: 0 (0 steps) 3 in 8 s, 1 (100 steps) 1 in 6 s", compute.Describe());
    }

    [Fact]
    public void A_single_fidelity_search_has_no_rung_breakdown()
    {
        var compute = SearchCompute.Of([Record(1, null, 300, 10)]);
        Assert.Empty(compute.Rungs);
        Assert.DoesNotContain("rung", compute.Describe(), StringComparison.Ordinal);
    }
}
