using PrunerCluster.Testing;
using System.Buffers.Binary;
using System.Xml.Linq;
using PrunerCluster.Client.Plots;
using PrunerCluster.Client.Results;
using PrunerCluster.Contracts;
using SkiaSharp;

namespace PrunerCluster.Client.Tests.Plots;

[Trait("Category", "Unit")]
public sealed class PlotWriterTests
{
    internal static ExperimentResults Results(ParetoSet pareto, UniformSweep? uniform = null) => new()
    {
        ExperimentId = pareto.ExperimentId,
        Pareto = pareto,
        Evaluations = Samples.Ledger(pareto),
        Uniform = uniform,
    };

    internal static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    [Fact]
    public void Two_objectives_give_a_scatter_hypervolume_and_kept_channel_charts_in_png_and_svg_of_the_stated_size()
    {
        using var temp = new TempDirectory();
        var pareto = Samples.Pareto();
        var images = PlotWriter.WriteAll(Results(pareto), temp.Path, ["png", "svg"]);

        var names = images.Select(i => Path.GetFileName(i.Path)).ToArray();
        Assert.Equal(
            ["pareto-accuracy-vs-macs.png", "hypervolume.png", "kept-channels-1.png", "kept-channels-2.png", "kept-channels-3.png",
             "pareto-accuracy-vs-macs.svg", "hypervolume.svg", "kept-channels-1.svg", "kept-channels-2.svg", "kept-channels-3.svg"],
            names);
        foreach (var image in images)
        {
            Assert.True(File.Exists(image.Path), image.Path);
            if (image.Format == "png")
            {
                Assert.Equal((image.Width, image.Height), PngSize(image.Path));
            }
            else
            {
                var svg = XDocument.Load(image.Path).Root!;
                Assert.Equal("svg", svg.Name.LocalName);
                Assert.Equal(image.Width.ToString(System.Globalization.CultureInfo.InvariantCulture), svg.Attribute("width")!.Value);
                Assert.Equal(image.Height.ToString(System.Globalization.CultureInfo.InvariantCulture), svg.Attribute("height")!.Value);
            }
        }

        Assert.Equal((PlotWriter.Width, PlotWriter.Height), PngSize(images[0].Path));
    }

    [Fact]
    public void The_scatter_fades_dominated_points_and_overlays_the_front_the_baseline_and_the_uniform_curve()
    {
        var pareto = Samples.Pareto();
        var uniform = new UniformSweep
        {
            Points = [.. new[] { 0.1, 0.5, 0.9 }.Select(f => new UniformSweepPoint { PrunedFraction = f, Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = 0.9 - f / 5, [MetricNames.Macs] = 4e6 * (1 - f) } })],
        };
        using var without = Charts.ParetoScatter(Results(pareto), MetricNames.Macs, MetricNames.Accuracy);
        using var with = Charts.ParetoScatter(Results(pareto, uniform), MetricNames.Macs, MetricNames.Accuracy);

        var series = with.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToArray();
        Assert.Equal(without.GetPlottables().Count() + 1, with.GetPlottables().Count());
        var dominated = Assert.Single(series, s => s.LegendText.StartsWith("dominated", StringComparison.Ordinal));
        Assert.True(dominated.Color.Alpha < 128, "dominated points are faded");
        Assert.Equal(Samples.Ledger(pareto).Count(e => e.Succeeded && !pareto.Entries.Any(p => p.MaskHash == e.MaskHash)), dominated.Data.GetScatterPoints().Count);
        var front = Assert.Single(series, s => s.LegendText.StartsWith("Pareto front", StringComparison.Ordinal));
        Assert.True(front.Color.Alpha == 255);
        Assert.Equal(3, Assert.Single(series, s => s.LegendText.StartsWith("uniform", StringComparison.Ordinal)).Data.GetScatterPoints().Count);
        Assert.Single(series, s => s.LegendText == "unpruned baseline");
    }

    [Fact]
    public void Three_objectives_add_pairwise_panels_one_per_pair()
    {
        using var temp = new TempDirectory();
        var pareto = Samples.Pareto() with
        {
            Objectives = [new(MetricNames.Accuracy, ObjectiveDirection.Maximize), new(MetricNames.LatencyMs, ObjectiveDirection.Minimize), new(MetricNames.Params, ObjectiveDirection.Minimize)],
        };
        var panels = Charts.PairwisePanels(Results(pareto));
        Assert.Equal(3, panels.Count);
        foreach (var p in panels)
        {
            p.Dispose();
        }

        var images = PlotWriter.WriteAll(Results(pareto), temp.Path, ["png"]);
        var pairwise = Assert.Single(images, i => Path.GetFileName(i.Path) == "pareto-pairwise.png");
        Assert.Equal((3 * 560, 440), PngSize(pairwise.Path));
        Assert.Contains(images, i => Path.GetFileName(i.Path) == "pareto-accuracy-vs-latency_ms.png");
        Assert.Contains(images, i => Path.GetFileName(i.Path) == "pareto-accuracy-vs-params.png");

        using var bitmap = SKBitmap.Decode(pairwise.Path);
        var colored = 0;
        for (var x = 0; x < bitmap.Width; x += 4)
        {
            for (var y = 0; y < bitmap.Height; y += 4)
            {
                var c = bitmap.GetPixel(x, y);
                colored += c.Red > 150 && c.Green < 90 && c.Blue < 90 ? 1 : 0;
            }
        }

        Assert.True(colored > 0, "the panels draw the red Pareto front");
    }

    [Fact]
    public void Hypervolume_history_never_decreases_and_ends_at_the_front_of_all_evaluations()
    {
        var pareto = Samples.Pareto();
        var history = HypervolumeHistory.Compute(pareto.Objectives, Samples.Ledger(pareto));
        Assert.Equal(Samples.Ledger(pareto).Count, history[^1].Evaluations);
        Assert.All(history.Zip(history.Skip(1)), p => Assert.True(p.Second.Hypervolume >= p.First.Hypervolume - 1e-12));
        Assert.True(history[^1].Hypervolume > 0);
    }

    [Fact]
    public void Kept_channels_are_read_per_layer_from_the_mask_text()
    {
        var layers = MaskLayers.Parse("conv1=1011;conv2=11110000/3,1;fc=1");
        Assert.Equal([new MaskLayers.Layer("conv1", 3, 4), new("conv2", 4, 8), new("fc", 1, 1)], layers);
        Assert.Throws<FormatException>(() => MaskLayers.Parse("conv1=10x1"));
        using var plot = Charts.KeptChannels("conv1=1011;conv2=11110000/3,1;fc=1", "t");
        var bars = Assert.Single(plot.GetPlottables().OfType<ScottPlot.Plottables.BarPlot>());
        Assert.Equal(6, bars.Bars.Count);
    }
}
