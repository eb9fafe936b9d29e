using System.CommandLine;
using PrunerCluster.Cli.Sweeps;
using PrunerCluster.Engine.Sweeps;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Specs;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>prunercluster sensitivity &lt;spec|run-dir&gt;</c>: prunes each prunable layer alone (least important units first, by the spec's evaluation.importance order) at
/// several fractions, recovers briefly, and reports validation accuracy per layer and fraction as a table, JSON, CSV and a plot.
/// </summary>
public static class SensitivityCommand
{
    public static Command Create(CliConsole console)
    {
        var target = new Argument<string>("spec") { Description = "Experiment spec file (JSON or YAML), or a run directory written by 'search'" };
        var fractions = SweepFractions.Option();
        var steps = new Option<int?>("--fine-tune-steps") { Description = "Recovery steps after pruning each layer (default: the spec's evaluation.fineTuneSteps; 0 = no recovery)", HelpName = "N" };
        steps.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0)
            {
                r.AddError("--fine-tune-steps must be 0 (no recovery) or more");
            }
        });
        var noRecovery = new Option<bool>("--no-recovery") { Description = "Measure right after pruning, without fine-tuning (same as --fine-tune-steps 0)" };
        var output = new Option<string?>("--out", "-o") { Description = "Folder for sensitivity.json, .csv, .png and .svg (default: <run-dir>/sensitivity, else .prunercluster/sensitivity/<spec name>)", HelpName = "DIR" };
        var cache = new Option<string?>("--cache") { Description = "Checkpoint cache folder (default: the spec's baseline.cacheDirectory, else ~/.cache/prunercluster/checkpoints)", HelpName = "DIR" };
        var json = CommonOptions.Json();
        var command = new Command("sensitivity", "Per-layer sensitivity: prune each layer alone at 10..90 % (least important units first, by evaluation.importance), recover briefly, measure validation accuracy; prints a table and writes JSON, CSV and a plot (one line per layer)")
        {
            target, fractions, steps, noRecovery, output, cache, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var source = parse.GetValue(target)!;
            var levels = SweepFractions.Parse(parse.GetValue(fractions));
            if (parse.GetValue(noRecovery) && parse.GetValue(steps) is > 0)
            {
                throw new CliException("--no-recovery and --fine-tune-steps > 0 contradict each other; give one of them");
            }

            var fineTune = parse.GetValue(noRecovery) ? 0 : parse.GetValue(steps);
            var (spec, runDirectory) = SweepSetup.Load(source);
            var backend = SweepSetup.Backend(spec, source, parse.GetValue(cache));
            var directory = parse.GetValue(output)
                ?? (runDirectory is not null ? Path.Combine(runDirectory, "sensitivity") : Path.Combine(".prunercluster", "sensitivity", SweepSetup.Sanitize(spec.Name)));
            console.Error.WriteLine($"sensitivity of {spec.Model} on {spec.Dataset}: {levels.Count} fraction(s) per layer (the baseline is trained first if it is not cached)");
            var sweep = new MagnitudeSweep(backend, spec, line => console.Error.WriteLine("  " + line));
            var report = await SweepSetup.OnThread(() => sweep.Sensitivity(levels, fineTune, ct), ct).ConfigureAwait(false);
            var written = SensitivityOutput.Write(report, directory);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(SpecFile.Serialize(report));
            }
            else
            {
                SensitivityOutput.WriteTable(report, console.Out);
                foreach (var path in written)
                {
                    console.Out.WriteLine($"wrote {path}");
                }
            }

            return report.Layers.All(l => l.Points.All(p => p.FailureReason is null)) ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
