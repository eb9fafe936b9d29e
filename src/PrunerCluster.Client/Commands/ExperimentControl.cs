using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Client.Specs;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Commands;

/// <summary>Shared shape of cancel, pause and resume: one call on the experiment, then its status.</summary>
internal static class ExperimentControl
{
    public static Command Create(CliConsole console, string name, string description, Func<IPopulationCoordinatorGrain, Task<ExperimentStatus>> call)
    {
        var id = CommonOptions.ExperimentId();
        var json = CommonOptions.Json();
        var command = new Command(name, description) { id, json };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var cluster = await connection.ConnectAsync(parse, ct).ConfigureAwait(false);
            var experiment = await ResultsSource.ExistingAsync(cluster.Grains, parse.GetValue(id)!).ConfigureAwait(false);
            var status = await call(experiment).ConfigureAwait(false);
            console.Out.WriteLine(parse.GetValue(json) ? SpecFile.Serialize(status) : StatusLine.Format(status, null));
            return ExitCodes.Ok;
        });
        return command;
    }
}
