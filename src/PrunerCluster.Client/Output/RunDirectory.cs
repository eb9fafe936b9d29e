using System.Globalization;
using System.Text;
using System.Text.Json;
using PrunerCluster.Client.Plots;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Output;

/// <summary>
/// A finished search's results on disk: spec, status, Pareto set (JSON, CSV), every evaluation (JSON, CSV), PNG and SVG
/// plots and the self-contained HTML report; exported models go under <see cref="ExportsFolder"/>.
/// </summary>
public static class RunDirectory
{
    public const string SpecFileName = "spec.json";
    public const string StatusFileName = "status.json";
    public const string ParetoJsonFileName = "pareto.json";
    public const string EvaluationsJsonFileName = "evaluations.json";
    public const string ReportFileName = "report.html";
    public const string PlotsFolder = "plots";
    public const string ExportsFolder = "exports";

    public static IReadOnlyList<string> Write(string directory, ExperimentSpec spec, ExperimentStatus status, ParetoSet pareto, IReadOnlyList<EvaluationRecord> evaluations)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(status);
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
        Put(StatusFileName, SpecFile.Serialize(status));
        Put(ParetoJsonFileName, SpecFile.Serialize(pareto));
        Put(EvaluationsJsonFileName, SpecFile.Serialize(evaluations));
        Put("pareto.csv", ParetoReport.Csv(pareto));
        Put("evaluations.csv", EvaluationsCsv(evaluations));
        written.AddRange(WriteViews(Read(directory)));
        return written;
    }

    /// <summary>(Re)writes plots and report from what the directory holds (e.g. after 'baseline' added a uniform sweep).</summary>
    public static IReadOnlyList<string> WriteViews(ExperimentResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var directory = results.Directory ?? throw new ArgumentException("results must come from a run directory", nameof(results));
        var images = PlotWriter.WriteAll(results, Path.Combine(directory, PlotsFolder), ["png", "svg"]);
        var report = Path.Combine(directory, ReportFileName);
        File.WriteAllText(report, HtmlReport.Render(results));
        return [.. images.Select(i => i.Path), report];
    }

    public static ExperimentResults Read(string directory)
    {
        var paretoPath = Path.Combine(directory, ParetoJsonFileName);
        var pareto = ReadPareto(paretoPath);
        return new ExperimentResults
        {
            ExperimentId = pareto.ExperimentId,
            Pareto = pareto,
            Spec = File.Exists(Path.Combine(directory, SpecFileName)) ? SpecFile.Load(Path.Combine(directory, SpecFileName)) : null,
            Status = ReadJson<ExperimentStatus>(Path.Combine(directory, StatusFileName)),
            Evaluations = ReadJson<List<EvaluationRecord>>(Path.Combine(directory, EvaluationsJsonFileName)) ?? [],
            Uniform = ReadJson<UniformSweep>(Path.Combine(directory, UniformSweep.FileName)),
            Directory = Path.GetFullPath(directory),
        };
    }

    public static ParetoSet ReadPareto(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Pareto file '{path}' does not exist (a search writes it as {ParetoJsonFileName} in its run directory).", path);
        }

        return ReadJson<ParetoSet>(path) ?? throw new InvalidDataException($"Pareto file '{path}' is empty.");
    }

    private static T? ReadJson<T>(string path)
        where T : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), SpecFile.JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid ({CliText(ex.Message)}); it was written by another version or edited by hand", ex);
        }
    }

    private static string CliText(string text) => text.ReplaceLineEndings(" ");

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
