using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Specs;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster pareto &lt;id|run-dir&gt;</c>: the Pareto set as a table, JSON or CSV.</summary>
public static class ParetoCommand
{
    public static Command Create(CliConsole console)
    {
        var target = CommonOptions.ExperimentOrRun();
        var json = CommonOptions.Json();
        var csv = new Option<bool>("--csv") { Description = "Write CSV to stdout (one row per member, every metric, the mask)" };
        var command = new Command("pareto", "Show the Pareto set of an experiment (cluster id) or of a run directory") { target, json, csv };
        var connection = ConnectionOptions.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(json) && r.GetValue(csv))
            {
                r.AddError("--json and --csv cannot be used together");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var results = await ResultsSource.LoadAsync(parse.GetValue(target)!, connection, parse, ct).ConfigureAwait(false);
            console.Out.Write(parse.GetValue(json) ? SpecFile.Serialize(results.Pareto) + Environment.NewLine
                : parse.GetValue(csv) ? ParetoReport.Csv(results.Pareto) : ParetoReport.Table(results.Pareto));
            return ExitCodes.Ok;
        });
        return command;
    }
}
