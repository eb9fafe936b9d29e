using PrunerCluster.Client.Plots;
using PrunerCluster.Client.Results;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Tests.Plots;

[Trait("Category", "Unit")]
public sealed class RungMarkersTests
{
    private static EvaluationRecord Record(long id, double accuracy, double macs, int rung, int steps) => new()
    {
        CandidateId = id,
        IndividualKey = "k" + id,
        MaskHash = "m" + id,
        Succeeded = true,
        Metrics = new Dictionary<string, double>
        {
            [MetricNames.Accuracy] = accuracy,
            [MetricNames.Macs] = macs,
            [MetricNames.FidelityRung] = rung,
            [MetricNames.FidelitySteps] = steps,
        },
    };

    private static IReadOnlyList<string> Legend(ScottPlot.Plot plot) =>
        [.. plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Select(s => s.LegendText)];

    [Fact]
    public void On_a_ladder_the_scatter_tells_each_rung_apart_and_marks_members_measured_below_the_top()
    {
        var evaluations = new[]
        {
            Record(1, 0.60, 100, 0, 0), Record(2, 0.55, 300, 0, 0), Record(3, 0.80, 200, 1, 100),
            Record(4, 0.85, 400, 2, 300), Record(5, 0.70, 150, 0, 0), Record(6, 0.50, 900, 1, 100),
        };
        var pareto = new ParetoSet
        {
            ExperimentId = "x",
            Objectives = new ExperimentSpec().Objectives,
            Entries = [.. new[] { evaluations[3], evaluations[4] }.Select(r => new ParetoEntry { CandidateId = r.CandidateId, MaskText = "t", MaskHash = r.MaskHash, IndividualKey = r.IndividualKey, Metrics = r.Metrics })],
        };
        var plot = Charts.ParetoScatter(new ExperimentResults { ExperimentId = "x", Pareto = pareto, Evaluations = evaluations }, MetricNames.Macs, MetricNames.Accuracy);
        var legend = Legend(plot);

        Assert.Contains("dominated at rung 0 (0 fine-tune steps; 2)", legend);
        Assert.Contains("dominated at rung 1 (100 fine-tune steps; 2)", legend);
        Assert.Contains("members measured below the top rung (1)", legend);
    }

    [Fact]
    public void Without_a_ladder_the_scatter_is_as_before()
    {
        var evaluations = new[] { Record(1, 0.6, 100, 0, 0) with { Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = 0.6, [MetricNames.Macs] = 100 } } };
        var plot = Charts.ParetoScatter(new ExperimentResults { ExperimentId = "x", Pareto = new ParetoSet { ExperimentId = "x", Objectives = new ExperimentSpec().Objectives }, Evaluations = evaluations }, MetricNames.Macs, MetricNames.Accuracy);
        Assert.Equal(["dominated evaluations (1)"], Legend(plot));
    }
}
