using System.Globalization;
using System.Text;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Output;

/// <summary>Renders a Pareto set as a console table, CSV or JSON.</summary>
public static class ParetoReport
{
    private static readonly (string Metric, string Header, Func<double, string> Format)[] Columns =
    [
        (MetricNames.Accuracy, "accuracy", v => v.ToString("P2", CultureInfo.InvariantCulture)),
        (MetricNames.AccuracyDrop, "drop(pt)", v => v.ToString("F2", CultureInfo.InvariantCulture)),
        (MetricNames.Macs, "MACs", Compact),
        (MetricNames.Params, "params", Compact),
        (MetricNames.SizeBytes, "size", v => Compact(v) + "B"),
        (MetricNames.LatencyMs, "latency(ms)", v => v.ToString("F2", CultureInfo.InvariantCulture)),
        (MetricNames.Throughput, "samples/s", v => v.ToString("F0", CultureInfo.InvariantCulture)),
        (MetricNames.EnergyMj, "energy(mJ)", v => v.ToString("G4", CultureInfo.InvariantCulture)),
        (MetricNames.KeptFraction, "kept", v => v.ToString("P0", CultureInfo.InvariantCulture)),
        (MetricNames.FidelitySteps, "rung steps", v => v.ToString("F0", CultureInfo.InvariantCulture)),
    ];

    /// <summary>Entries ordered by the first minimized objective (else the first objective), for stable output.</summary>
    public static IReadOnlyList<ParetoEntry> Ordered(ParetoSet pareto)
    {
        ArgumentNullException.ThrowIfNull(pareto);
        return pareto.InTableOrder();
    }

    /// <summary>A metric value as the table shows it (percent for accuracy, k/M/G for counts...).</summary>
    public static string FormatMetric(string metric, double value)
    {
        foreach (var c in Columns)
        {
            if (c.Metric == metric)
            {
                return c.Format(value);
            }
        }

        return value.ToString("G4", CultureInfo.InvariantCulture);
    }

    public static string Header(string metric)
    {
        foreach (var c in Columns)
        {
            if (c.Metric == metric)
            {
                return c.Header;
            }
        }

        return metric;
    }

    public static string Table(ParetoSet pareto)
    {
        var entries = Ordered(pareto);
        var columns = Columns.Where(c => entries.Any(e => e.Metrics.ContainsKey(c.Metric))).ToArray();
        var header = new List<string> { "#" };
        header.AddRange(columns.Select(c => c.Header));
        header.Add("energy src");
        header.Add("mask");
        var rows = new List<string[]> { header.ToArray() };
        if (pareto.BaselineMetrics.Count > 0)
        {
            var baseline = new List<string> { "base" };
            baseline.AddRange(columns.Select(c => pareto.BaselineMetrics.TryGetValue(c.Metric, out var v) ? c.Format(v) : "-"));
            baseline.Add("");
            baseline.Add("(unpruned)");
            rows.Add(baseline.ToArray());
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var row = new List<string> { (i + 1).ToString(CultureInfo.InvariantCulture) + (AboveUnprunedFlag.IsFlagged(e.Metrics) ? AboveUnprunedFlag.Marker : "") };
            row.AddRange(columns.Select(c => e.Metrics.TryGetValue(c.Metric, out var v) ? c.Format(v) : "-"));
            row.Add(e.EnergySource);
            row.Add(e.MaskHash[..Math.Min(12, e.MaskHash.Length)]);
            rows.Add(row.ToArray());
        }

        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            sb.AppendLine(string.Join("  ", row.Select((cell, c) => c is 0 || c >= header.Count - 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }

        if (AboveUnprunedFlag.Note(entries) is { } note)
        {
            sb.AppendLine(note);
        }

        return sb.ToString();
    }

    public static string Csv(ParetoSet pareto)
    {
        var entries = Ordered(pareto);
        var metrics = entries.SelectMany(e => e.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', new[] { "rank", "candidate_id", "mask_hash", "individual_key", "generation", "energy_source", "silo" }.Concat(metrics).Append("mask")));
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var cells = new List<string>
            {
                (i + 1).ToString(CultureInfo.InvariantCulture),
                e.CandidateId.ToString(CultureInfo.InvariantCulture),
                e.MaskHash,
                e.IndividualKey,
                e.Generation.ToString(CultureInfo.InvariantCulture),
                Quote(e.EnergySource),
                Quote(e.Silo),
            };
            cells.AddRange(metrics.Select(m => e.Metrics.TryGetValue(m, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : ""));
            cells.Add(Quote(e.MaskText));
            sb.AppendLine(string.Join(',', cells));
        }

        return sb.ToString();
    }

    public static string Compact(double value) => Math.Abs(value) switch
    {
        >= 1e9 => (value / 1e9).ToString("F2", CultureInfo.InvariantCulture) + "G",
        >= 1e6 => (value / 1e6).ToString("F2", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (value / 1e3).ToString("F1", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("F0", CultureInfo.InvariantCulture),
    };

    internal static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
