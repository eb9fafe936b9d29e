using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using PrunerCluster.Client.Plots;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;
using ScottPlot;

namespace PrunerCluster.Client.Output;

/// <summary>
/// One self-contained HTML file per experiment: spec, progress over time, plots, the Pareto table (test-set accuracy from
/// exported model cards where known), kept channels per layer of each member, and links to exported artifacts. Images are
/// embedded as PNG data URIs; the page loads nothing else and runs no script.
/// </summary>
public static class HtmlReport
{
    /// <summary>An exported member found under the run's exports folder.</summary>
    public sealed record ExportedArtifact(string MaskHash, string RelativePath, double? TestAccuracy);

    /// <summary>Written by 'export' beside the model card: which Pareto member (mask hash, rank, rule) the folder holds.</summary>
    public const string MemberFileName = "pareto-member.json";

    public static string Render(ExperimentResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var pareto = results.Pareto;
        var ordered = ParetoReport.Ordered(pareto);
        var exports = FindExports(results.Directory);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<title>PrunerCluster report: {E(results.ExperimentId)}</title>\n");
        sb.Append("<style>body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}" +
            "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}" +
            "th{background:#f3f3f3}td.l,th.l{text-align:left}img{max-width:100%;border:1px solid #eee;margin:.5em 0}" +
            "pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:12px}.muted{color:#777}</style>\n</head>\n<body>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<h1>Experiment {E(results.ExperimentId)}</h1>\n");
        if (results.Spec is { } spec)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p><b>{E(spec.Name)}</b>: {E(spec.Model)} on {E(spec.Dataset)}, backend {E(spec.Backend)}; objectives: {E(string.Join(", ", spec.Objectives.Select(o => $"{o.Direction.ToString().ToLowerInvariant()} {o.Metric}")))}</p>\n");
        }

        if (results.Status is { } s)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p id=\"status\">State <b>{s.State}</b>: {s.Evaluated} evaluated, {s.Failed} failed, {s.CacheHits} from cache, {pareto.Entries.Count} Pareto members; started {E(s.StartedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-")}, finished {E(s.FinishedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-")}.</p>\n");
        }

        sb.Append("<h2>Progress over time</h2>\n");
        Image(sb, "progress over time", [Charts.ProgressOverTime(results)], 1, 900, 380);

        TradeOffs(sb, results);
        sb.Append("<h2>Pareto set</h2>\n");
        ParetoTable(sb, pareto, ordered, exports);

        MembersAndExports(sb, results, ordered, exports);
        if (results.Spec is { } full)
        {
            sb.Append("<h2>Spec</h2>\n<pre id=\"spec\">").Append(E(SpecFile.Serialize(full))).Append("</pre>\n");
        }

        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void TradeOffs(StringBuilder sb, ExperimentResults results)
    {
        var pareto = results.Pareto;
        sb.Append("<h2>Trade-offs</h2>\n");
        var objectives = pareto.Objectives.Select(o => o.Metric).ToArray();
        var y = objectives.Contains(MetricNames.Accuracy, StringComparer.Ordinal) ? MetricNames.Accuracy : objectives.FirstOrDefault() ?? MetricNames.Accuracy;
        foreach (var x in objectives.Where(o => o != y).DefaultIfEmpty(MetricNames.Macs))
        {
            Image(sb, $"Pareto scatter {y} vs {x}", [Charts.ParetoScatter(results, x, y)], 1, PlotWriter.Width, PlotWriter.Height);
        }

        if (objectives.Length >= 3)
        {
            var panels = Charts.PairwisePanels(results);
            var columns = panels.Count <= 3 ? panels.Count : (int)Math.Ceiling(Math.Sqrt(panels.Count));
            Image(sb, "pairwise objectives", panels, columns, 1050, 400 * ((panels.Count + columns - 1) / columns));
        }

        Image(sb, "hypervolume over evaluations", [Charts.HypervolumeOverEvaluations(results)], 1, PlotWriter.Width, 380);
        if (results.Uniform is null)
        {
            sb.Append("<p class=\"muted\">No uniform-pruning sweep (baseline-sweep.json) in this run directory, so the scatter has no uniform-pruning curve.</p>\n");
        }
    }

    private static void MembersAndExports(StringBuilder sb, ExperimentResults results, IReadOnlyList<ParetoEntry> ordered, IReadOnlyList<ExportedArtifact> exports)
    {
        sb.Append("<h2>Kept channels per layer</h2>\n");
        for (var i = 0; i < ordered.Count; i++)
        {
            var rank = (i + 1).ToString(CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"<h3 id=\"member-{rank}\">Member #{rank} <span class=\"muted\">{E(Short(ordered[i].MaskHash))}</span></h3>\n");
            Image(sb, $"kept channels of member {rank}", [Charts.KeptChannels(ordered[i].MaskText, $"member #{rank}: kept channels per layer")], 1, PlotWriter.Width, 360);
        }

        sb.Append("<h2>Exported artifacts</h2>\n");
        if (ordered.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{E(EmptyResult.Explain(results.Status, results.Evaluations, results.Spec))}.</p>\n");
        }
        else if (exports.Count == 0)
        {
            sb.Append("<p class=\"muted\">None yet: 'prunercluster export &lt;run-dir&gt; --pick 1' writes one under exports/.</p>\n");
        }
        else
        {
            sb.Append("<ul>\n");
            foreach (var a in exports)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{E(a.RelativePath)}/model-card.json\">{E(a.RelativePath)}</a> (mask {E(Short(a.MaskHash))})</li>\n");
            }

            sb.Append("</ul>\n");
        }
    }

    public static IReadOnlyList<ExportedArtifact> FindExports(string? runDirectory)
    {
        var root = runDirectory is null ? null : Path.Combine(runDirectory, RunDirectory.ExportsFolder);
        if (root is null || !Directory.Exists(root))
        {
            return [];
        }

        var found = new List<ExportedArtifact>();
        foreach (var card in Directory.EnumerateFiles(root, "model-card.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(card));
                var hash = doc.RootElement.TryGetProperty("maskHash", out var h) ? h.GetString() ?? "" : "";
                var member = Path.Combine(Path.GetDirectoryName(card)!, MemberFileName);
                if (File.Exists(member))
                {
                    using var memberDoc = JsonDocument.Parse(File.ReadAllText(member));
                    hash = memberDoc.RootElement.TryGetProperty("maskHash", out var m2) ? m2.GetString() ?? hash : hash;
                }

                double? accuracy = doc.RootElement.TryGetProperty("metrics", out var m) && m.TryGetProperty(MetricNames.Accuracy, out var a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : null;
                found.Add(new ExportedArtifact(hash, Path.GetRelativePath(runDirectory!, Path.GetDirectoryName(card)!).Replace('\\', '/'), accuracy));
            }
            catch (JsonException)
            {
                found.Add(new ExportedArtifact("", Path.GetRelativePath(runDirectory!, Path.GetDirectoryName(card)!).Replace('\\', '/'), null));
            }
        }

        return found;
    }

    private static void ParetoTable(StringBuilder sb, ParetoSet pareto, IReadOnlyList<ParetoEntry> ordered, IReadOnlyList<ExportedArtifact> exports)
    {
        // The objectives first, then the usual trade-off columns; every metric stays in pareto.csv / pareto.json.
        var present = ordered.SelectMany(e => e.Metrics.Keys).Concat(pareto.BaselineMetrics.Keys).ToHashSet(StringComparer.Ordinal);
        var metrics = pareto.Objectives.Select(o => o.Metric)
            .Concat([MetricNames.Accuracy, MetricNames.AccuracyDrop, MetricNames.Macs, MetricNames.Params, MetricNames.SizeBytes, MetricNames.LatencyMs, MetricNames.EnergyMj, MetricNames.KeptFraction])
            .Distinct(StringComparer.Ordinal).Where(present.Contains).ToArray();
        sb.Append("<div style=\"overflow-x:auto\"><table id=\"pareto\">\n<tr><th>#</th>");
        foreach (var m in metrics)
        {
            sb.Append("<th>").Append(E(m)).Append("</th>");
        }

        sb.Append("<th>test accuracy</th><th class=\"l\">mask</th><th class=\"l\">export</th></tr>\n");
        if (pareto.BaselineMetrics.Count > 0)
        {
            sb.Append("<tr><td>base</td>");
            foreach (var m in metrics)
            {
                sb.Append("<td>").Append(pareto.BaselineMetrics.TryGetValue(m, out var v) ? Number(v) : "-").Append("</td>");
            }

            sb.Append("<td>-</td><td class=\"l\">(unpruned)</td><td class=\"l\"></td></tr>\n");
        }

        for (var i = 0; i < ordered.Count; i++)
        {
            var e = ordered[i];
            var export = exports.FirstOrDefault(a => a.MaskHash.Length > 0 && a.MaskHash == e.MaskHash);
            sb.Append(CultureInfo.InvariantCulture, $"<tr class=\"member\" data-mask-hash=\"{E(e.MaskHash)}\"><td><a href=\"#member-{i + 1}\">{i + 1}</a></td>");
            foreach (var m in metrics)
            {
                sb.Append("<td>").Append(e.Metrics.TryGetValue(m, out var v) ? Number(v) : "-").Append("</td>");
            }

            sb.Append("<td>").Append(export?.TestAccuracy is { } t ? (t * 100).ToString("F2", CultureInfo.InvariantCulture) + "%" : "<span class=\"muted\">not exported</span>").Append("</td>");
            sb.Append("<td class=\"l\">").Append(E(Short(e.MaskHash))).Append("</td><td class=\"l\">");
            sb.Append(export is null ? "" : $"<a href=\"{E(export.RelativePath)}/model-card.json\">{E(export.RelativePath)}</a>").Append("</td></tr>\n");
        }

        sb.Append("</table></div>\n<p class=\"muted\">Every metric of every member: pareto.csv and pareto.json beside this report.</p>\n");
    }

    private static void Image(StringBuilder sb, string alt, IReadOnlyList<Plot> plots, int columns, int width, int height)
    {
        try
        {
            var png = ChartFile.Png(plots, columns, width, height);
            sb.Append(CultureInfo.InvariantCulture, $"<img alt=\"{E(alt)}\" width=\"{width}\" height=\"{height}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">\n");
        }
        finally
        {
            foreach (var p in plots)
            {
                p.Dispose();
            }
        }
    }

    private static string Number(double v) => Math.Abs(v) >= 1e4 ? ParetoReport.Compact(v) : v.ToString("G5", CultureInfo.InvariantCulture);

    private static string Short(string hash) => hash[..Math.Min(12, hash.Length)];

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
