using PrunerCluster.Client.Results;
using PrunerCluster.Contracts;
using ScottPlot;

namespace PrunerCluster.Client.Plots;

/// <summary>Builds the ScottPlot charts of an experiment; <see cref="PlotWriter"/> saves them.</summary>
public static class Charts
{
    private static readonly Color Dominated = Colors.Gray.WithAlpha(0.35);
    private static readonly Color Front = new(214, 39, 40);
    private static readonly Color OtherMembers = new(255, 127, 14);
    private static readonly Color Baseline = new(31, 119, 180);
    private static readonly Color Uniform = new(44, 160, 44);

    /// <summary>
    /// Every successful evaluation in two metrics: dominated points faded, Pareto members highlighted, the members that are
    /// non-dominated in these two metrics joined as the front, the unpruned baseline and the uniform-pruning curve overlaid.
    /// </summary>
    public static Plot ParetoScatter(ExperimentResults results, string xMetric, string yMetric, bool legend = true)
    {
        ArgumentNullException.ThrowIfNull(results);
        var pareto = results.Pareto;
        var members = pareto.Entries.Select(e => e.MaskHash).ToHashSet(StringComparer.Ordinal);
        var plot = new Plot();
        AddDominated(plot, results, members, xMetric, yMetric);

        var memberPoints = pareto.Entries.Where(e => Has(e.Metrics, xMetric, yMetric)).Select(e => (X: e.Metrics[xMetric], Y: e.Metrics[yMetric])).ToArray();
        var xMax = MetricAxes.IsMaximized(pareto.Objectives, xMetric);
        var yMax = MetricAxes.IsMaximized(pareto.Objectives, yMetric);
        var front = memberPoints.Where(p => !memberPoints.Any(q => MetricAxes.Dominates(q, p, xMax, yMax))).Distinct().OrderBy(p => p.X).ToArray();
        var hidden = memberPoints.Except(front).ToArray();
        if (hidden.Length > 0)
        {
            var s = plot.Add.ScatterPoints(hidden.Select(p => p.X).ToArray(), hidden.Select(p => p.Y).ToArray(), OtherMembers);
            s.MarkerSize = 8;
            s.LegendText = $"Pareto members better in other objectives ({hidden.Length})";
        }

        if (front.Length > 0)
        {
            var s = plot.Add.Scatter(front.Select(p => p.X).ToArray(), front.Select(p => p.Y).ToArray(), Front);
            s.MarkerSize = 9;
            s.LineWidth = 2;
            s.LegendText = $"Pareto front in these metrics ({front.Length})";
        }

        var top = results.Evaluations.Where(e => e.Succeeded).Select(Rung).DefaultIfEmpty(0).Max();
        var belowTop = pareto.Entries.Where(e => Has(e.Metrics, xMetric, yMetric) && (int)e.Metrics.GetValueOrDefault(MetricNames.FidelityRung) < top).ToArray();
        if (belowTop.Length > 0)
        {
            var s = plot.Add.ScatterPoints(belowTop.Select(e => e.Metrics[xMetric]).ToArray(), belowTop.Select(e => e.Metrics[yMetric]).ToArray(), Front);
            s.MarkerSize = 15;
            s.MarkerShape = MarkerShape.OpenCircle;
            s.LegendText = $"members measured below the top rung ({belowTop.Length})";
        }

        AddReferences(plot, results, xMetric, yMetric);

        plot.Title($"{MetricAxes.Label(yMetric)} vs {MetricAxes.Label(xMetric)}");
        plot.XLabel(MetricAxes.Label(xMetric));
        plot.YLabel(MetricAxes.Label(yMetric));
        if (legend && plot.GetPlottables().Any())
        {
            plot.ShowLegend(Alignment.LowerRight);
        }
        else
        {
            plot.HideLegend();
        }

        return plot;
    }

    /// <summary>The evaluations that are not Pareto members, one marker per rung of a fidelity ladder.</summary>
    private static void AddDominated(Plot plot, ExperimentResults results, HashSet<string> members, string xMetric, string yMetric)
    {
        var others = results.Evaluations
            .Where(e => e.Succeeded && !members.Contains(e.MaskHash) && Has(e.Metrics, xMetric, yMetric))
            .ToArray();
        var rungs = others.Select(Rung).Distinct().Order().ToArray();
        foreach (var rung in rungs)
        {
            // On a fidelity ladder each rung gets its own marker, so cheap screening results read apart from fine-tuned ones.
            var points = others.Where(e => Rung(e) == rung).Select(e => (X: e.Metrics[xMetric], Y: e.Metrics[yMetric])).ToArray();
            var s = plot.Add.ScatterPoints(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), Dominated);
            s.MarkerSize = 6;
            s.MarkerShape = RungMarkers[Math.Min(rung, RungMarkers.Length - 1)];
            s.LegendText = rungs.Length == 1
                ? $"dominated evaluations ({points.Length})"
                : $"dominated at rung {rung} ({Steps(others.First(e => Rung(e) == rung))} fine-tune steps; {points.Length})";
        }
    }

    /// <summary>The uniform-pruning curve and the unpruned baseline.</summary>
    private static void AddReferences(Plot plot, ExperimentResults results, string xMetric, string yMetric)
    {
        var pareto = results.Pareto;
        var uniform = results.Uniform?.Points.Where(p => p.FailureReason is null && Has(p.Metrics, xMetric, yMetric)).OrderBy(p => p.PrunedFraction).ToArray() ?? [];
        if (uniform.Length > 0)
        {
            var s = plot.Add.Scatter(uniform.Select(p => p.Metrics[xMetric]).ToArray(), uniform.Select(p => p.Metrics[yMetric]).ToArray(), Uniform);
            s.MarkerSize = 7;
            s.MarkerShape = MarkerShape.FilledDiamond;
            s.LinePattern = LinePattern.Dashed;
            s.LegendText = "uniform magnitude pruning 10..90 %";
        }

        if (pareto.BaselineMetrics.TryGetValue(xMetric, out var bx) && pareto.BaselineMetrics.TryGetValue(yMetric, out var by))
        {
            var s = plot.Add.ScatterPoints(new[] { bx }, new[] { by }, Baseline);
            s.MarkerSize = 12;
            s.MarkerShape = MarkerShape.FilledSquare;
            s.LegendText = "unpruned baseline";
        }
    }

    private static readonly MarkerShape[] RungMarkers = [MarkerShape.FilledCircle, MarkerShape.FilledTriangleUp, MarkerShape.FilledSquare, MarkerShape.FilledDiamond];

    private static int Rung(EvaluationRecord e) => (int)e.Metrics.GetValueOrDefault(MetricNames.FidelityRung);

    private static int Steps(EvaluationRecord e) => (int)e.Metrics.GetValueOrDefault(MetricNames.FidelitySteps);

    /// <summary>One scatter per pair of objectives (3+ objectives), each like <see cref="ParetoScatter"/>.</summary>
    public static IReadOnlyList<Plot> PairwisePanels(ExperimentResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var metrics = results.Pareto.Objectives.Select(o => o.Metric).ToArray();
        var plots = new List<Plot>();
        for (var i = 0; i < metrics.Length; i++)
        {
            for (var j = i + 1; j < metrics.Length; j++)
            {
                plots.Add(ParetoScatter(results, metrics[j], metrics[i], legend: plots.Count == 0));
            }
        }

        return plots;
    }

    /// <summary>Hypervolume of the first k evaluations' front, in this run's normalized objective space, against k.</summary>
    public static Plot HypervolumeOverEvaluations(ExperimentResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var series = HypervolumeHistory.Compute(results.Pareto.Objectives, results.Evaluations);
        var plot = new Plot();
        if (series.Count > 0)
        {
            var s = plot.Add.Scatter(series.Select(p => (double)p.Evaluations).ToArray(), series.Select(p => p.Hypervolume).ToArray(), Front);
            s.MarkerSize = 4;
            s.LineWidth = 2;
            s.ConnectStyle = ConnectStyle.StepHorizontal;
        }

        plot.Title("hypervolume over evaluations");
        plot.XLabel("evaluations completed");
        plot.YLabel("hypervolume (normalized)");
        return plot;
    }

    /// <summary>Kept and pruned channels per layer (mask segment) of one Pareto member, as stacked bars.</summary>
    public static Plot KeptChannels(string maskText, string title)
    {
        var layers = MaskLayers.Parse(maskText);
        var plot = new Plot();
        var bars = new List<Bar>();
        for (var i = 0; i < layers.Count; i++)
        {
            bars.Add(new Bar { Position = i, ValueBase = 0, Value = layers[i].Kept, FillColor = Baseline });
            bars.Add(new Bar { Position = i, ValueBase = layers[i].Kept, Value = layers[i].Total, FillColor = Colors.LightGray });
        }

        if (bars.Count > 0)
        {
            plot.Add.Bars(bars);
        }

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, layers.Count).Select(i => (double)i).ToArray(), layers.Select(l => l.Name).ToArray());
        if (layers.Count > 8)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 90;
        }

        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("channels (blue: kept)");
        return plot;
    }

    /// <summary>Evaluations completed (and failed) against minutes since the first one finished.</summary>
    public static Plot ProgressOverTime(ExperimentResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var ordered = results.Evaluations.OrderBy(e => e.CompletedAt).ToArray();
        var plot = new Plot();
        if (ordered.Length > 0)
        {
            var start = results.Status?.StartedAt is { } started && started <= ordered[0].CompletedAt ? started : ordered[0].CompletedAt;
            var minutes = ordered.Select(e => (e.CompletedAt - start).TotalMinutes).ToArray();
            var done = plot.Add.Scatter(minutes, Enumerable.Range(1, ordered.Length).Select(i => (double)i).ToArray(), Baseline);
            done.MarkerSize = 3;
            done.ConnectStyle = ConnectStyle.StepHorizontal;
            done.LegendText = "evaluations completed";
            var failedCount = 0;
            var failed = ordered.Select(e => (double)(e.Succeeded ? failedCount : ++failedCount)).ToArray();
            if (failedCount > 0)
            {
                var f = plot.Add.Scatter(minutes, failed, Front);
                f.MarkerSize = 0;
                f.ConnectStyle = ConnectStyle.StepHorizontal;
                f.LegendText = "failed";
            }

            plot.ShowLegend(Alignment.UpperLeft);
        }

        plot.Title("progress over time");
        plot.XLabel("minutes since start");
        plot.YLabel("evaluations");
        return plot;
    }

    private static bool Has(IReadOnlyDictionary<string, double> metrics, string x, string y) =>
        metrics.TryGetValue(x, out var vx) && metrics.TryGetValue(y, out var vy) && double.IsFinite(vx) && double.IsFinite(vy);
}
