using System.Globalization;
using System.Text;
using PrunerCluster.Client.Plots;
using PrunerCluster.Client.Specs;
using PrunerCluster.Engine.Sweeps;
using ScottPlot;
using Spectre.Console;

namespace PrunerCluster.Cli.Sweeps;

/// <summary>A sensitivity sweep as files (JSON, CSV, PNG and SVG plot with one line per layer) and as a terminal table.</summary>
public static class SensitivityOutput
{
    public const string CsvFileName = "sensitivity.csv";
    public const int Width = 900;
    public const int Height = 600;

    /// <summary>Writes sensitivity.json, sensitivity.csv, sensitivity.png and sensitivity.svg into <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> Write(SensitivityReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, SensitivityReport.FileName);
        File.WriteAllText(json, SpecFile.Serialize(report));
        var csv = Path.Combine(directory, CsvFileName);
        File.WriteAllText(csv, Csv(report));
        var written = new List<string> { json, csv };
        foreach (var format in new[] { "png", "svg" })
        {
            using var plot = Plot(report);
            written.Add(ChartFile.Save(plot, "Per-layer sensitivity", Path.Combine(directory, "sensitivity." + format), Width, Height).Path);
        }

        return written;
    }

    public static string Csv(SensitivityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.AppendLine("layer,channels,pruned_fraction,kept_channels,accuracy,accuracy_drop_points,macs,failure_reason");
        foreach (var layer in report.Layers)
        {
            foreach (var p in layer.Points)
            {
                sb.AppendLine(string.Join(',',
                    Cell(layer.Layer),
                    layer.Channels.ToString(CultureInfo.InvariantCulture),
                    p.PrunedFraction.ToString("R", CultureInfo.InvariantCulture),
                    p.KeptChannels.ToString(CultureInfo.InvariantCulture),
                    Number(p.Accuracy),
                    Number(p.AccuracyDropPoints),
                    Number(p.Macs),
                    Cell(p.FailureReason ?? "")));
            }
        }

        return sb.ToString();
    }

    /// <summary>Validation accuracy (%) against pruned fraction (%): one line per layer, the unpruned accuracy dashed.</summary>
    public static Plot Plot(SensitivityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < report.Layers.Count; i++)
        {
            var layer = report.Layers[i];
            var ok = layer.Points.Where(p => double.IsFinite(p.Accuracy)).ToArray();
            var line = plot.Add.Scatter(ok.Select(p => p.PrunedFraction * 100).ToArray(), ok.Select(p => p.Accuracy * 100).ToArray(), palette.GetColor(i));
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{layer.Layer} ({layer.Channels} units)");
            line.LineWidth = 2;
            line.MarkerSize = 5;
        }

        if (double.IsFinite(report.UnprunedAccuracy))
        {
            var reference = plot.Add.HorizontalLine(report.UnprunedAccuracy * 100, 1, Colors.Gray, LinePattern.Dashed);
            reference.LegendText = "unpruned";
        }

        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Per-layer sensitivity: {report.Model} on {report.Dataset}, {report.FineTuneSteps} recovery steps"));
        plot.XLabel("units (channels or neurons) pruned in the layer (%)");
        plot.YLabel("validation accuracy (%)");
        plot.ShowLegend(Alignment.LowerLeft);
        return plot;
    }

    /// <summary>Layers as rows, pruned fractions as columns, each cell the validation accuracy and its drop in points.</summary>
    public static void WriteTable(SensitivityReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"validation accuracy % (change in points), one layer pruned at a time, least important units first; unpruned {report.UnprunedAccuracy:P2}, {report.FineTuneSteps} recovery steps"));
        var table = new Table();
        table.AddColumn("layer");
        table.AddColumn(new TableColumn("units").RightAligned());
        foreach (var fraction in report.PrunedFractions)
        {
            table.AddColumn(new TableColumn(string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.#} %")).RightAligned());
        }

        foreach (var layer in report.Layers)
        {
            var cells = new List<string> { Markup.Escape(layer.Layer), layer.Channels.ToString(CultureInfo.InvariantCulture) };
            foreach (var fraction in report.PrunedFractions)
            {
                var p = layer.Points.FirstOrDefault(p => p.PrunedFraction == fraction);
                cells.Add(p is null || !double.IsFinite(p.Accuracy)
                    ? "[red]failed[/]"
                    : string.Create(CultureInfo.InvariantCulture, $"[{Colour(p.AccuracyDropPoints)}]{p.Accuracy * 100:F1} ({-p.AccuracyDropPoints:+0.0;-0.0;0.0})[/]"));
            }

            table.AddRow([.. cells]);
        }

        console.Write(table);
    }

    private static string Colour(double drop) => drop <= 0.5 ? "green" : drop <= 2 ? "yellow" : "red";

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Cell(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal)
        ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : text;
}
