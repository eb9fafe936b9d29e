using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Plots;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Specs;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster plot &lt;id|run-dir&gt;</c>: PNG/SVG charts of an experiment.</summary>
public static class PlotCommand
{
    public static Command Create(CliConsole console)
    {
        var target = CommonOptions.ExperimentOrRun();
        var output = new Option<string?>("--out", "-o") { Description = "Folder for the images (default: <run-dir>/plots, or ./plots-<id> for a cluster experiment)", HelpName = "DIR" };
        var format = new Option<string>("--format") { Description = "Image format", DefaultValueFactory = _ => "both" };
        format.AcceptOnlyFromAmong("png", "svg", "both");
        var members = new Option<int?>("--members") { Description = "Kept-channel charts for the first N Pareto members only (default: all)", HelpName = "N" };
        var json = CommonOptions.Json();
        var command = new Command("plot", "Draw the Pareto scatter (dominated points faded, uniform-pruning curve when the run directory holds baseline-sweep.json), pairwise panels for 3+ objectives, hypervolume over evaluations and kept channels per layer") { target, output, format, members, json };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var results = await ResultsSource.LoadAsync(parse.GetValue(target)!, connection, parse, ct).ConfigureAwait(false);
            var directory = parse.GetValue(output) ?? (results.Directory is { } d ? Path.Combine(d, RunDirectory.PlotsFolder) : "plots-" + results.ExperimentId);
            var formats = parse.GetValue(format) switch { "png" => new[] { "png" }, "svg" => ["svg"], _ => ["png", "svg"] };
            var images = PlotWriter.WriteAll(results, directory, formats, parse.GetValue(members));
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(SpecFile.Serialize(images));
            }
            else
            {
                foreach (var image in images)
                {
                    console.Out.WriteLine($"{image.Path}  ({image.Width}x{image.Height}, {image.SeriesCount} series): {image.Title}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
