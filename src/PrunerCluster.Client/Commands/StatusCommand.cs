using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Live;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Specs;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster status &lt;id&gt;</c>: one experiment's progress.</summary>
public static class StatusCommand
{
    public static Command Create(CliConsole console)
    {
        var id = CommonOptions.ExperimentId();
        var json = CommonOptions.Json();
        var command = new Command("status", "Show one experiment's state and progress on the cluster") { id, json };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var cluster = await connection.ConnectAsync(parse, ct).ConfigureAwait(false);
            var experiment = await ResultsSource.ExistingAsync(cluster.Grains, parse.GetValue(id)!).ConfigureAwait(false);
            var status = await ClusterOutage.Brief().RunAsync(experiment.GetStatus, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(SpecFile.Serialize(status));
                return ExitCodes.Ok;
            }

            console.Out.WriteLine(StatusLine.Format(status, null));
            foreach (var e in status.Errors)
            {
                console.Out.WriteLine($"  {e}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
