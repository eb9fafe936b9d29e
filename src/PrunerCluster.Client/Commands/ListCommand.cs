using System.CommandLine;
using System.Globalization;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Live;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster list</c>: the cluster's experiments.</summary>
public static class ListCommand
{
    public static Command Create(CliConsole console)
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "List the experiments of the cluster") { json };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var cluster = await connection.ConnectAsync(parse, ct).ConfigureAwait(false);
            var experiments = await ClusterOutage.Brief().RunAsync(cluster.Grains.GetExperimentRegistry().List, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(SpecFile.Serialize(experiments));
                return ExitCodes.Ok;
            }

            foreach (var e in experiments.OrderBy(e => e.SubmittedAt))
            {
                console.Out.WriteLine(ExperimentListLine.Format(e));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
