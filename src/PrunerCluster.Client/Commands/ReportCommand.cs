using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster report &lt;id|run-dir&gt;</c>: one self-contained HTML file.</summary>
public static class ReportCommand
{
    public static Command Create(CliConsole console)
    {
        var target = CommonOptions.ExperimentOrRun();
        var output = new Option<string?>("--out", "-o") { Description = "HTML file to write (default: <run-dir>/report.html, or ./report-<id>.html for a cluster experiment)", HelpName = "FILE" };
        var command = new Command("report", "Write one self-contained HTML report (spec, progress, plots, Pareto table, kept channels per member, exported artifacts); open it in any browser") { target, output };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var results = await ResultsSource.LoadAsync(parse.GetValue(target)!, connection, parse, ct).ConfigureAwait(false);
            var path = Path.GetFullPath(parse.GetValue(output) ?? (results.Directory is { } d ? Path.Combine(d, RunDirectory.ReportFileName) : $"report-{results.ExperimentId}.html"));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, HtmlReport.Render(results), ct).ConfigureAwait(false);
            console.Out.WriteLine(path);
            return ExitCodes.Ok;
        });
        return command;
    }
}
