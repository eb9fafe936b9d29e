using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PrunerCluster.Engine.Quality;

/// <summary>The quality benchmark's outputs: a text table (mean +- sd over seeds), a JSON file and an SVG plot of the fronts overlaid.</summary>
public static class QualityReport
{
    public const string JsonFileName = "quality.json";
    public const string MacsPlotFileName = "quality-fronts-macs.svg";
    public const string LatencyPlotFileName = "quality-fronts-latency.svg";

    private static readonly string[] Colors = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Table(QualityOptions options, IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)> results)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(results);
        var methods = results.SelectMany(r => r.Runs.Select(m => m.Method)).Distinct(StringComparer.Ordinal).ToList();
        var ladder = results.Any(r => r.Runs.Any(m => m.HypervolumeRecovered is not null));
        var header = new List<string> { "method", "HV(acc,MACs)", "HV(acc,latency)", "HV(acc,MACs,lat)", "MAC x @0.5pt", "MAC x @1pt", "lat x @0.5pt", "lat x @1pt", "search s", "recovery s", "failed" };
        if (ladder)
        {
            header.AddRange(["HV(test,MACs) recovered", "masks", "train M", "forward M", "fwd-equiv M"]);
        }

        var rows = new List<string[]> { header.ToArray() };
        foreach (var method in methods)
        {
            var runs = results.SelectMany(r => r.Runs).Where(m => m.Method == method).ToList();
            var cells = new List<string>
            {
                method,
                Ms(runs, r => r.HypervolumeMacs, "F4"),
                Ms(runs, r => r.HypervolumeLatency, "F4"),
                Ms(runs, r => r.HypervolumeAll, "F4"),
                Ms(runs, r => r.MacReductionWithin05, "F2"),
                Ms(runs, r => r.MacReductionWithin10, "F2"),
                Ms(runs, r => r.LatencySpeedupWithin05, "F2"),
                Ms(runs, r => r.LatencySpeedupWithin10, "F2"),
                Ms(runs, r => r.SearchSeconds, "F0"),
                Ms(runs, r => r.RecoverySeconds, "F0"),
                runs.Sum(r => r.Failed).ToString(CultureInfo.InvariantCulture),
            };
            if (ladder)
            {
                cells.AddRange(
                [
                    Ms(runs, r => r.HypervolumeRecovered ?? double.NaN, "F4"),
                    Ms(runs, r => r.Points.Count, "F0"),
                    Ms(runs, r => r.ComputeTrainSamples / 1e6, "F2"),
                    Ms(runs, r => r.ComputeForwardSamples / 1e6, "F2"),
                    Ms(runs, r => r.ComputeForwardEquivalent / 1e6, "F2"),
                ]);
            }

            rows.Add([.. cells]);
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        text.AppendLine(options.IsLadder
            ? string.Create(CultureInfo.InvariantCulture, $"quality: {options.Model} on {options.Dataset}, NSGA-II with the ladder {string.Join(",", options.Ladder!.Select(r => r.FineTuneSteps))} steps and {options.Budget} evaluations, each baseline at equal compute with {options.SearchSteps} steps per mask, seeds {string.Join(",", options.Seeds)}, up to {options.RecoverMembers} members within {options.RecoverWithinPoints:G} points recovered with {options.RecoverySteps} steps, mean +- sd over seeds")
            : string.Create(CultureInfo.InvariantCulture, $"quality: {options.Model} on {options.Dataset}, {options.Budget} masks per method, seeds {string.Join(",", options.Seeds)}, {options.FineTuneSteps} fine-tune steps per mask, {options.RecoverySteps} final-recovery steps, mean +- sd over seeds"));
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
        }

        foreach (var (seed, reference, _) in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"seed {seed}: unpruned validation {reference.ValidationAccuracy:P2}, {reference.LatencyMs:F2} ms; recovered test {reference.TestAccuracyRecovered:P2}"));
        }

        foreach (var line in QualityComparison.Lines(results))
        {
            text.AppendLine(line);
        }

        if (ladder)
        {
            text.AppendLine("HV(test,MACs) recovered: the same normalised hypervolume over the recovered members, with the test accuracy drop against the unpruned model recovered the same way; compute: samples through forward+backward (train) and forward-only passes (calibration, validation, teacher) in the search, final recovery excluded (the same member count for every method); fwd-equiv = 3 x train + forward.");
        }

        text.AppendLine("HV: normalised (cost / unpruned cost, validation drop in points / 10), both minimised, reference point (1, 1); HV(acc,MACs,lat) the same over MACs, latency and drop together, reference point (1, 1, 1); reductions: unpruned / member on the test set after final recovery (1.00 = none within the tolerance).");
        return text.ToString();

        static string Ms(List<MethodRun> runs, Func<MethodRun, double> value, string format)
        {
            var (mean, sd) = QualityMetrics.MeanStd([.. runs.Select(value)]);
            return runs.Count > 1 ? $"{mean.ToString(format, CultureInfo.InvariantCulture)}+-{sd.ToString(format, CultureInfo.InvariantCulture)}" : mean.ToString(format, CultureInfo.InvariantCulture);
        }
    }

    public static IReadOnlyList<string> Write(string directory, QualityOptions options, IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)> results, string table)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(directory);
        var document = new
        {
            options,
            hypervolume = "2-D, both axes minimised: x = MACs (or latency) / unpruned, y = validation accuracy drop in points / 10 (negative drops count as 0); reference point (1, 1); HypervolumeAll: 3-D over MACs / unpruned, latency / unpruned and drop / 10, reference point (1, 1, 1)",
            seeds = results.Select(r => new { seed = r.Seed, reference = r.Reference, methods = r.Runs, pooled = QualityComparison.Pooled(r.Runs, r.Reference) }),
            table,
        };
        var files = new List<string>
        {
            Put(directory, JsonFileName, JsonSerializer.Serialize(document, Json)),
            Put(directory, MacsPlotFileName, Svg(results, macs: true)),
            Put(directory, LatencyPlotFileName, Svg(results, macs: false)),
            Put(directory, "quality.txt", table),
        };
        return files;
    }

    /// <summary>Every evaluated mask of every method and seed (validation drop vs cost ratio), each method's front joined.</summary>
    public static string Svg(IReadOnlyList<(ulong Seed, QualityReference Reference, IReadOnlyList<MethodRun> Runs)> results, bool macs)
    {
        ArgumentNullException.ThrowIfNull(results);
        const double width = 720, height = 480, left = 70, right = 170, top = 40, bottom = 55;
        var methods = results.SelectMany(r => r.Runs.Select(m => m.Method)).Distinct(StringComparer.Ordinal).ToList();
        var series = methods.Select(m => results.SelectMany(r => r.Runs.Where(x => x.Method == m)
            .SelectMany(x => x.Points.Where(p => p.Succeeded).Select(p => (X: (macs ? p.Macs / r.Reference.Macs : p.LatencyMs / r.Reference.LatencyMs), Y: (r.Reference.ValidationAccuracy - p.Accuracy) * 100)))).ToList()).ToList();
        var all = series.SelectMany(s => s).ToList();
        var maxX = Math.Max(1.05, all.Count == 0 ? 1 : all.Max(p => p.X) * 1.05);
        var maxY = Math.Max(QualityMetrics.DropScalePoints, all.Count == 0 ? 1 : Math.Min(50, all.Max(p => p.Y)) * 1.05);
        var minY = Math.Min(0, all.Count == 0 ? 0 : all.Min(p => p.Y) - 0.5);
        double Px(double x) => left + (x / maxX * (width - left - right));
        double Py(double y) => top + ((Math.Min(y, maxY) - minY) / (maxY - minY) * (height - top - bottom));
        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        var cost = macs ? "MACs" : "latency";
        sb.Append(Inv($"<text x=\"{(width - right + left) / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">quality: validation accuracy drop vs {cost} (all seeds)</text>\n"));
        sb.Append(Inv($"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"black\"/>\n"));
        sb.Append(Inv($"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"black\"/>\n"));
        for (var i = 0; i <= 5; i++)
        {
            var x = maxX * i / 5;
            var y = minY + ((maxY - minY) * i / 5);
            sb.Append(Inv($"<text x=\"{Px(x)}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\">{x:F2}</text>\n"));
            sb.Append(Inv($"<text x=\"{left - 6}\" y=\"{Py(y) + 4}\" text-anchor=\"end\">{y:F1}</text>\n"));
        }

        sb.Append(Inv($"<text x=\"{(width - right + left) / 2}\" y=\"{height - 12}\" text-anchor=\"middle\">{cost} / unpruned</text>\n"));
        sb.Append(Inv($"<text x=\"16\" y=\"{(height - bottom + top) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(height - bottom + top) / 2})\">accuracy drop (points, lower is better)</text>\n"));
        sb.Append(Inv($"<line x1=\"{Px(1)}\" y1=\"{Py(QualityMetrics.DropScalePoints)}\" x2=\"{Px(1)}\" y2=\"{Py(minY)}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n"));
        sb.Append(Inv($"<line x1=\"{Px(0)}\" y1=\"{Py(QualityMetrics.DropScalePoints)}\" x2=\"{Px(1)}\" y2=\"{Py(QualityMetrics.DropScalePoints)}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n"));
        for (var m = 0; m < methods.Count; m++)
        {
            var color = Colors[m % Colors.Length];
            foreach (var (x, y) in series[m])
            {
                sb.Append(Inv($"<circle cx=\"{Px(x):F1}\" cy=\"{Py(y):F1}\" r=\"3\" fill=\"{color}\" fill-opacity=\"0.55\"/>\n"));
            }

            var front = QualityMetrics.Front([.. series[m].Select(p => (-p.Y, p.X))]).Select(i => series[m][i]).OrderBy(p => p.X).ToList();
            if (front.Count > 1)
            {
                sb.Append(Inv($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', front.Select(p => Inv($"{Px(p.X):F1},{Py(p.Y):F1}")))}\"/>\n"));
            }

            sb.Append(Inv($"<rect x=\"{width - right + 14}\" y=\"{top + (m * 20)}\" width=\"12\" height=\"12\" fill=\"{color}\"/>\n"));
            sb.Append(Inv($"<text x=\"{width - right + 32}\" y=\"{top + (m * 20) + 11}\">{Escape(methods[m])}</text>\n"));
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string Put(string directory, string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
