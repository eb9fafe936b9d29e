using System.CommandLine;
using System.Diagnostics;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster submit &lt;spec&gt;</c>: validate locally, submit, print the id; --wait attaches like watch.</summary>
public static class SubmitCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = new Argument<string>("spec") { Description = "Experiment spec file (JSON or YAML; 'prunercluster schema' prints its JSON schema)" };
        var wait = new Option<bool>("--wait") { Description = "Stay attached and show live progress until the experiment ends. " + WatchCommand.CtrlCHelp };
        var json = CommonOptions.Json();
        var plain = WatchCommand.PlainOption();
        var runs = WatchCommand.RunsOption();
        var grace = WatchCommand.GraceOption();
        var command = new Command("submit", "Submit an experiment to the cluster and print its id; with --wait, write its run directory when it ends") { spec, wait, json, plain, runs, grace };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(spec)!;
            var graceTime = GraceSeconds.Parse(parse.GetValue(grace));
            var experiment = SpecFile.LoadValid(path);
            await using var cluster = await connection.ConnectAsync(parse, ct).ConfigureAwait(false);
            var result = await cluster.Grains.SubmitExperimentAsync(experiment).ConfigureAwait(false);
            if (!result.Accepted || result.ExperimentId is null)
            {
                throw SpecFile.Rejected(path, result.Errors);
            }

            if (Activity.Current is { } span && span.Source == ClientTelemetry.Source)
            {
                span.SetTag(TelemetryNames.AttributeExperiment, result.ExperimentId);
            }

            console.Out.WriteLine(parse.GetValue(json) ? SpecFile.Serialize(new { experimentId = result.ExperimentId }) : result.ExperimentId);
            if (!parse.GetValue(wait))
            {
                return ExitCodes.Ok;
            }

            return await WatchCommand.AttachAsync(cluster.Grains, result.ExperimentId, experiment.Budget, console, parse.GetValue(plain), TimeSpan.FromSeconds(1), ct, parse.GetValue(runs), graceTime).ConfigureAwait(false);
        });
        return command;
    }
}
