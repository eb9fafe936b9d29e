using System.Globalization;
using System.Xml.Linq;
using PrunerCluster.Cli.Output;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Tests;

public sealed class ParetoPlotTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static double Attr(XElement e, string name) => double.Parse(e.Attribute(name)!.Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Svg_is_well_formed_and_draws_every_front_point_the_ledger_and_the_baseline()
    {
        var pareto = Samples.Pareto("exp <&> 1");
        var ledger = Samples.Ledger(pareto);
        var doc = XDocument.Parse(ParetoPlot.Svg(pareto, ledger, MetricNames.Macs, MetricNames.Accuracy));

        var root = doc.Root!;
        Assert.Equal(Svg + "svg", root.Name);
        var width = Attr(root, "width");
        var height = Attr(root, "height");

        var circles = root.Elements(Svg + "circle").ToList();
        var front = circles.Where(c => c.Attribute("r")!.Value == "4.5").ToList();
        var all = circles.Where(c => c.Attribute("r")!.Value == "3").ToList();
        Assert.Equal(pareto.Entries.Count, front.Count);
        Assert.Equal(ledger.Count(r => r.Succeeded), all.Count);

        // Front points are drawn left to right by MACs; higher accuracy is higher on screen (smaller y).
        var ordered = pareto.Entries.OrderBy(e => e.Metrics[MetricNames.Macs]).ThenBy(e => e.Metrics[MetricNames.Accuracy]).ToList();
        var xs = front.Select(c => Attr(c, "cx")).ToList();
        Assert.Equal(xs.Order().ToList(), xs);
        var top = front.MinBy(c => Attr(c, "cy"))!;
        Assert.Equal(xs[^1], Attr(top, "cx"));
        Assert.Equal(0.90, ordered.MaxBy(e => e.Metrics[MetricNames.Accuracy])!.Metrics[MetricNames.Accuracy]);
        foreach (var c in circles)
        {
            Assert.InRange(Attr(c, "cx"), 0, width);
            Assert.InRange(Attr(c, "cy"), 0, height);
        }

        // The line joins only the members non-dominated in (MACs, accuracy): bbbb (0.80 at 1M) loses to aaaa (0.85 at 1M).
        var polyline = Assert.Single(root.Elements(Svg + "polyline"));
        Assert.Equal(2, polyline.Attribute("points")!.Value.Split(' ').Length);

        var texts = root.Elements(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains(texts, t => t.Contains("exp <&> 1", StringComparison.Ordinal));
        Assert.Contains("baseline", texts);
        Assert.Contains(texts, t => t.Contains("red: Pareto set (3)", StringComparison.Ordinal));
    }

    [Fact]
    public void Svg_without_data_for_the_metrics_says_so_and_stays_well_formed()
    {
        var pareto = Samples.Pareto();
        var doc = XDocument.Parse(ParetoPlot.Svg(pareto, [], MetricNames.EnergyMj, MetricNames.Accuracy));
        Assert.Empty(doc.Root!.Elements(Svg + "circle"));
        Assert.Contains(doc.Root.Elements(Svg + "text"), t => t.Value.Contains("no successful evaluations", StringComparison.Ordinal));
    }

    [Fact]
    public void Single_point_plot_is_well_formed_with_finite_coordinates()
    {
        var pareto = Samples.Pareto() with { Entries = [Samples.Pareto().Entries[0]], BaselineMetrics = new Dictionary<string, double>() };
        var doc = XDocument.Parse(ParetoPlot.Svg(pareto, [], MetricNames.Macs, MetricNames.Accuracy));
        var point = Assert.Single(doc.Root!.Elements(Svg + "circle"));
        Assert.True(double.IsFinite(Attr(point, "cx")) && double.IsFinite(Attr(point, "cy")));
        Assert.Empty(doc.Root.Elements(Svg + "polyline"));
    }
}
