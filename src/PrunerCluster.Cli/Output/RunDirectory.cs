using System.Globalization;
using System.Text;
using PrunerCluster.Cli.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Output;

/// <summary>Writes a finished search's results: spec, Pareto set (JSON, CSV), every evaluation (CSV) and SVG plots.</summary>
public static class RunDirectory
{
    public const string SpecFileName = "spec.json";
    public const string ParetoJsonFileName = "pareto.json";

    public static IReadOnlyList<string> Write(string directory, ExperimentSpec spec, ExperimentStatus status, ParetoSet pareto, IReadOnlyList<EvaluationRecord> evaluations)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(pareto);
        ArgumentNullException.ThrowIfNull(evaluations);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        void Put(string name, string content)
        {
            var path = Path.Combine(directory, name);
            File.WriteAllText(path, content);
            written.Add(path);
        }

        Put(SpecFileName, SpecFile.Serialize(spec));
        Put("status.json", SpecFile.Serialize(status));
        Put(ParetoJsonFileName, SpecFile.Serialize(pareto));
        Put("pareto.csv", ParetoReport.Csv(pareto));
        Put("evaluations.csv", EvaluationsCsv(evaluations));
        var objectives = spec.Objectives.Select(o => o.Metric).ToArray();
        var y = objectives.Contains(MetricNames.Accuracy, StringComparer.Ordinal) ? MetricNames.Accuracy : objectives.FirstOrDefault() ?? MetricNames.Accuracy;
        var xs = objectives.Where(o => o != y).Concat([MetricNames.Macs, MetricNames.LatencyMs, MetricNames.EnergyMj]).Distinct(StringComparer.Ordinal);
        foreach (var x in xs)
        {
            Put($"pareto-{y}-vs-{x}.svg", ParetoPlot.Svg(pareto, evaluations, x, y));
        }

        return written;
    }

    public static ParetoSet ReadPareto(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Pareto file '{path}' does not exist (a search writes it as {ParetoJsonFileName} in its run directory).", path);
        }

        return System.Text.Json.JsonSerializer.Deserialize<ParetoSet>(File.ReadAllText(path), SpecFile.JsonOptions)
            ?? throw new InvalidDataException($"Pareto file '{path}' is empty.");
    }

    private static string EvaluationsCsv(IReadOnlyList<EvaluationRecord> evaluations)
    {
        var metrics = evaluations.SelectMany(e => e.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var phases = evaluations.SelectMany(e => e.PhaseSeconds.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', new[] { "candidate_id", "generation", "mask_hash", "succeeded", "from_cache", "silo", "completed_at", "energy_source", "failure_reason" }
            .Concat(metrics)
            .Concat(phases.Select(p => "phase_" + p + "_s"))));
        foreach (var e in evaluations.OrderBy(e => e.CandidateId))
        {
            var cells = new List<string>
            {
                e.CandidateId.ToString(CultureInfo.InvariantCulture),
                e.Generation.ToString(CultureInfo.InvariantCulture),
                e.MaskHash,
                e.Succeeded ? "true" : "false",
                e.FromCache ? "true" : "false",
                ParetoReport.Quote(e.Silo),
                e.CompletedAt.ToString("O", CultureInfo.InvariantCulture),
                ParetoReport.Quote(e.EnergySource),
                ParetoReport.Quote(e.FailureReason ?? ""),
            };
            cells.AddRange(metrics.Select(m => e.Metrics.TryGetValue(m, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : ""));
            cells.AddRange(phases.Select(p => e.PhaseSeconds.TryGetValue(p, out var v) ? v.ToString("F3", CultureInfo.InvariantCulture) : ""));
            sb.AppendLine(string.Join(',', cells));
        }

        return sb.ToString();
    }
}
