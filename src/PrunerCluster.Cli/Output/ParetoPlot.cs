using System.Globalization;
using System.Text;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Output;

/// <summary>
/// SVG scatter plots of every evaluation (grey) and the Pareto set (highlighted, joined in order) for one pair of metrics,
/// with the unpruned baseline marked; viewable in any browser.
/// </summary>
public static class ParetoPlot
{
    private const double Width = 640;
    private const double Height = 440;
    private const double Left = 80;
    private const double Right = 20;
    private const double Top = 40;
    private const double Bottom = 60;

    public static string Svg(ParetoSet pareto, IReadOnlyList<EvaluationRecord> evaluations, string xMetric, string yMetric)
    {
        ArgumentNullException.ThrowIfNull(pareto);
        ArgumentNullException.ThrowIfNull(evaluations);
        var all = evaluations.Where(e => e.Succeeded && e.Metrics.ContainsKey(xMetric) && e.Metrics.ContainsKey(yMetric))
            .Select(e => (X: e.Metrics[xMetric], Y: e.Metrics[yMetric])).ToList();
        var front = pareto.Entries.Where(e => e.Metrics.ContainsKey(xMetric) && e.Metrics.ContainsKey(yMetric))
            .Select(e => (X: e.Metrics[xMetric], Y: e.Metrics[yMetric])).OrderBy(p => p.X).ToList();
        (double X, double Y)? baseline = pareto.BaselineMetrics.TryGetValue(xMetric, out var bx) && pareto.BaselineMetrics.TryGetValue(yMetric, out var by)
            ? (bx, by) : null;

        var points = all.Concat(front).ToList();
        if (baseline is { } b)
        {
            points.Add(b);
        }

        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.Append(Inv($"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(pareto.ExperimentId)}: {Escape(yMetric)} vs {Escape(xMetric)}</text>\n"));
        if (points.Count == 0)
        {
            sb.Append(Inv($"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\">no successful evaluations with both metrics</text>\n</svg>\n"));
            return sb.ToString();
        }

        var (x0, x1) = Range(points.Select(p => p.X));
        var (y0, y1) = Range(points.Select(p => p.Y));
        double Px(double x) => Left + ((x - x0) / (x1 - x0) * (Width - Left - Right));
        double Py(double y) => Height - Bottom - ((y - y0) / (y1 - y0) * (Height - Top - Bottom));

        sb.Append(Inv($"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n"));
        sb.Append(Inv($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n"));
        for (var i = 0; i <= 4; i++)
        {
            var xv = x0 + ((x1 - x0) * i / 4);
            var yv = y0 + ((y1 - y0) * i / 4);
            sb.Append(Inv($"<text x=\"{Px(xv):F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{Label(xv)}</text>\n"));
            sb.Append(Inv($"<text x=\"{Left - 6}\" y=\"{Py(yv) + 4:F1}\" text-anchor=\"end\">{Label(yv)}</text>\n"));
        }

        sb.Append(Inv($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 18}\" text-anchor=\"middle\">{Escape(xMetric)}</text>\n"));
        sb.Append(Inv($"<text x=\"18\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {(Top + Height - Bottom) / 2})\">{Escape(yMetric)}</text>\n"));
        foreach (var (x, y) in all)
        {
            sb.Append(Inv($"<circle cx=\"{Px(x):F1}\" cy=\"{Py(y):F1}\" r=\"3\" fill=\"#bbbbbb\"/>\n"));
        }

        // With more than two objectives the Pareto set is not a front in this projection: the line joins only the
        // members that are non-dominated in the two plotted metrics.
        var xMax = Maximized(pareto, xMetric, fallback: false);
        var yMax = Maximized(pareto, yMetric, fallback: true);
        var projected = front.Where(p => !front.Any(q => Dominates(q, p, xMax, yMax))).Distinct().OrderBy(p => p.X).ToList();
        if (projected.Count > 1)
        {
            sb.Append("<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" points=\"");
            sb.Append(string.Join(' ', projected.Select(p => Inv($"{Px(p.X):F1},{Py(p.Y):F1}"))));
            sb.Append("\"/>\n");
        }

        foreach (var (x, y) in front)
        {
            sb.Append(Inv($"<circle cx=\"{Px(x):F1}\" cy=\"{Py(y):F1}\" r=\"4.5\" fill=\"#d62728\"/>\n"));
        }

        if (baseline is { } bl)
        {
            sb.Append(Inv($"<rect x=\"{Px(bl.X) - 5:F1}\" y=\"{Py(bl.Y) - 5:F1}\" width=\"10\" height=\"10\" fill=\"#1f77b4\"/>\n"));
            sb.Append(Inv($"<text x=\"{Px(bl.X) - 8:F1}\" y=\"{Py(bl.Y) - 8:F1}\" text-anchor=\"end\" fill=\"#1f77b4\">baseline</text>\n"));
        }

        sb.Append(Inv($"<text x=\"{Width - Right}\" y=\"{Height - 4}\" text-anchor=\"end\" fill=\"#555\">grey: all {all.Count} evaluations, red: Pareto set ({front.Count}), line: its front in these two metrics</text>\n"));
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static bool Maximized(ParetoSet pareto, string metric, bool fallback)
    {
        foreach (var objective in pareto.Objectives)
        {
            if (objective.Metric == metric)
            {
                return objective.Direction == ObjectiveDirection.Maximize;
            }
        }

        return fallback;
    }

    private static bool Dominates((double X, double Y) a, (double X, double Y) b, bool xMax, bool yMax)
    {
        var ax = xMax ? -a.X : a.X;
        var bx = xMax ? -b.X : b.X;
        var ay = yMax ? -a.Y : a.Y;
        var by = yMax ? -b.Y : b.Y;
        return ax <= bx && ay <= by && (ax < bx || ay < by);
    }

    private static (double Min, double Max) Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        var min = list.Min();
        var max = list.Max();
        if (max - min < 1e-12)
        {
            var pad = Math.Abs(min) > 0 ? Math.Abs(min) * 0.05 : 1;
            return (min - pad, max + pad);
        }

        var margin = (max - min) * 0.05;
        return (min - margin, max + margin);
    }

    private static string Label(double value) =>
        Math.Abs(value) >= 1000 ? ParetoReport.Compact(value) : value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
