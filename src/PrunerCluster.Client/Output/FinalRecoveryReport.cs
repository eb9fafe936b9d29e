using System.Globalization;
using System.Text;
using System.Text.Json;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Output;

/// <summary>The final table (after recovery, on the test set) as text, CSV and JSON.</summary>
public static class FinalRecoveryReport
{
    public const string JsonFileName = "final.json";
    public const string CsvFileName = "final.csv";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string Table(FinalRecoveryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var reference = result.Unpruned;
        var baseAccuracy = reference.Metric(MetricNames.Accuracy);
        var baseMacs = reference.Metric(MetricNames.Macs);
        var baseLatency = reference.Metric(MetricNames.LatencyMs);
        var rows = new List<string[]> { new[] { "#", "test acc", "drop(pt)", "MACs", "MAC x", "latency(ms)", "+-ci%", "speed-up", "search acc", "front", "mask" } };
        foreach (var m in new[] { reference }.Concat(result.Members))
        {
            var acc = m.Metric(MetricNames.Accuracy);
            rows.Add(
            [
                m.Label,
                m.Succeeded ? acc.ToString("P2", CultureInfo.InvariantCulture) : "failed",
                F((baseAccuracy - acc) * 100, "F2"),
                F(m.Metric(MetricNames.Macs), "N0"),
                F(baseMacs / m.Metric(MetricNames.Macs), "F2"),
                F(m.Metric(MetricNames.LatencyMs), "F2"),
                F(m.Metric(MetricNames.LatencyCiPercent), "F1"),
                F(baseLatency / m.Metric(MetricNames.LatencyMs), "F2"),
                m.SearchMetrics.TryGetValue(MetricNames.Accuracy, out var searchAccuracy) ? searchAccuracy.ToString("P2", CultureInfo.InvariantCulture) : "-",
                m == reference ? "ref" : m.OnFinalFront ? "yes" : "left",
                m.MaskHash[..Math.Min(12, m.MaskHash.Length)],
            ]);
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c == 0 || c >= 9 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }

        if (result.NoiseCv is { } cv)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"latency noise: {DescribeNoise(result.NoiseSamplesMs.Count, cv, result.NoiseRawSamplesMs.SequenceEqual(result.NoiseSamplesMs) ? null : result.NoiseRawCv)} (latency_ms {string.Join(", ", result.NoiseSamplesMs.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))})"));
        }

        return text.ToString();

        static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
    }

    /// <summary>One line: how many timings of the latency noise probe, the coefficient of variation of latency_ms and, when given, of the raw medians.</summary>
    public static string DescribeNoise(int count, double cv, double? rawCv)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"a half-width model timed {count} times during the search, CV {cv:P1}");
        return rawCv is { } r ? text + string.Create(CultureInfo.InvariantCulture, $" against the unpruned reference ({r:P1} of its raw medians)") : text;
    }

    public static string Csv(FinalRecoveryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var names = new[] { MetricNames.Accuracy, MetricNames.Macs, MetricNames.Params, MetricNames.LatencyMs, MetricNames.LatencyCiPercent, MetricNames.LatencyCv, MetricNames.LatencyRuns };
        var text = new StringBuilder();
        text.AppendLine("label,mask_hash,succeeded,on_final_front,search_accuracy," + string.Join(',', names) + ",mask");
        foreach (var m in new[] { result.Unpruned }.Concat(result.Members))
        {
            text.Append(CultureInfo.InvariantCulture, $"{m.Label},{m.MaskHash},{m.Succeeded},{m.OnFinalFront},");
            text.Append(m.SearchMetrics.TryGetValue(MetricNames.Accuracy, out var sa) ? sa.ToString("R", CultureInfo.InvariantCulture) : "");
            foreach (var n in names)
            {
                text.Append(',');
                text.Append(m.Metrics.TryGetValue(n, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
            }

            text.Append(CultureInfo.InvariantCulture, $",\"{m.MaskText.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>The final recovery a run directory holds, or null when it has none (or it cannot be read).</summary>
    public static FinalRecoveryResult? Read(string directory)
    {
        var path = Path.Combine(directory, JsonFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<FinalRecoveryResult>(File.ReadAllText(path), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes final.json/.csv into the run directory and prints the table with where the models and table went.</summary>
    public static void WriteAndPrint(string directory, FinalRecoveryResult result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Write(directory, result);
        output.WriteLine();
        var warm = result.Members.Any(m => m.Metrics.GetValueOrDefault(MetricNames.WarmStartSteps) > 0)
            ? "; members continue from their search weights, the unpruned model from the baseline"
            : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after final recovery ({result.FineTuneSteps} steps, test set{warm}; drops against the unpruned model recovered the same way):"));
        output.WriteLine(Table(result));
        var models = Path.Combine(directory, FinalRecoveryResult.ModelsFolder);
        output.WriteLine(Directory.Exists(models)
            ? $"recovered models: {models}; table: {Path.Combine(directory, JsonFileName)}, {CsvFileName}"
            : $"table: {Path.Combine(directory, JsonFileName)}, {CsvFileName} (the recovered models stay on the silos; 'export' rebuilds the one it picks)");
    }

    public static void Write(string directory, FinalRecoveryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, JsonFileName), JsonSerializer.Serialize(result, Json));
        File.WriteAllText(Path.Combine(directory, CsvFileName), Csv(result));
    }
}
