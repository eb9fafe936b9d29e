using System.CommandLine;
using System.Globalization;
using System.Text;
using PrunerCluster.Cli.Sweeps;
using PrunerCluster.Engine.Sweeps;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>prunercluster baseline &lt;spec|run-dir&gt;</c>: the classic comparison, uniform pruning of every layer (least important units first, by evaluation.importance) at
/// 10..90 % with the same recovery and measurements as the search's evaluations. Writes baseline-sweep.json; in a run
/// directory it also redraws the plots and the report, whose Pareto scatter then carries the uniform-pruning curve.
/// </summary>
public static class BaselineCommand
{
    public const string CsvFileName = "baseline-sweep.csv";

    public static Command Create(CliConsole console)
    {
        var target = new Argument<string>("spec") { Description = "A run directory written by 'search' (the sweep is added to its plots and report), or an experiment spec file" };
        var fractions = SweepFractions.Option();
        var output = new Option<string?>("--out", "-o") { Description = "Folder for baseline-sweep.json and .csv (default: the run directory, else .prunercluster/baseline/<spec name>)", HelpName = "DIR" };
        var cache = new Option<string?>("--cache") { Description = "Checkpoint cache folder (default: the spec's baseline.cacheDirectory, else ~/.cache/prunercluster/checkpoints)", HelpName = "DIR" };
        var json = CommonOptions.Json();
        var command = new Command("baseline", "Uniform pruning of every layer at 10..90 % (least important units first, by the spec's evaluation.importance order) with the search's own recovery and measurements: the classic comparison, overlaid on the Pareto scatter by 'plot' and 'report'")
        {
            target, fractions, output, cache, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var source = parse.GetValue(target)!;
            var levels = SweepFractions.Parse(parse.GetValue(fractions));
            var (spec, runDirectory) = SweepSetup.Load(source);
            var backend = SweepSetup.Backend(spec, source, parse.GetValue(cache));
            var directory = parse.GetValue(output) ?? runDirectory ?? Path.Combine(".prunercluster", "baseline", SweepSetup.Sanitize(spec.Name));
            console.Error.WriteLine($"uniform magnitude pruning of {spec.Model} on {spec.Dataset} at {levels.Count} level(s) (the baseline is trained first if it is not cached)");
            var sweep = new MagnitudeSweep(backend, spec, line => console.Error.WriteLine("  " + line));
            var result = await SweepSetup.OnThread(() => sweep.Uniform(levels, ct), ct).ConfigureAwait(false);
            var written = Write(result, directory);
            if (File.Exists(Path.Combine(directory, RunDirectory.ParetoJsonFileName)))
            {
                written.AddRange(RunDirectory.WriteViews(RunDirectory.Read(directory)));
            }

            if (parse.GetValue(json))
            {
                console.Out.WriteLine(SpecFile.Serialize(result));
            }
            else
            {
                console.Out.Write(Table(result, spec));
                foreach (var path in written)
                {
                    console.Out.WriteLine($"wrote {path}");
                }
            }

            return result.Points.All(p => p.FailureReason is null) ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>Writes baseline-sweep.json (the file 'plot' and 'report' read) and baseline-sweep.csv.</summary>
    public static List<string> Write(UniformSweep sweep, string directory)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, UniformSweep.FileName);
        File.WriteAllText(json, SpecFile.Serialize(sweep));
        var csv = Path.Combine(directory, CsvFileName);
        File.WriteAllText(csv, Csv(sweep));
        return [json, csv];
    }

    public static string Csv(UniformSweep sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var metrics = sweep.Points.SelectMany(p => p.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', metrics.Prepend("pruned_fraction").Append("failure_reason")));
        foreach (var p in sweep.Points)
        {
            var reason = p.FailureReason is null ? "" : "\"" + p.FailureReason.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            sb.AppendLine(string.Join(',', metrics
                .Select(m => p.Metrics.TryGetValue(m, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "")
                .Prepend(p.PrunedFraction.ToString("R", CultureInfo.InvariantCulture))
                .Append(reason)));
        }

        return sb.ToString();
    }

    private static string Table(UniformSweep sweep, ExperimentSpec spec)
    {
        var objectives = spec.Objectives.Select(o => o.Metric).DefaultIfEmpty(MetricNames.Accuracy).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join("  ", objectives.Select(o => o.PadLeft(14)).Prepend("pruned")));
        foreach (var p in sweep.Points)
        {
            var cells = objectives.Select(o => (p.Metrics.TryGetValue(o, out var v) ? v.ToString(o == MetricNames.Accuracy ? "P2" : "G6", CultureInfo.InvariantCulture) : "-").PadLeft(14));
            sb.AppendLine(string.Join("  ", cells.Prepend(p.PrunedFraction.ToString("P0", CultureInfo.InvariantCulture).PadLeft(6))) + (p.FailureReason is null ? "" : "  failed: " + p.FailureReason));
        }

        return sb.ToString();
    }
}
