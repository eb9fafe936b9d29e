using System.Globalization;
using PrunerCluster.Cli.Hosting;
using PrunerCluster.Cli.Output;
using PrunerCluster.Cli.Specs;
using PrunerCluster.Contracts;
using PrunerCluster.Grains.Telemetry;

namespace PrunerCluster.Cli.Commands;

/// <summary>Commands against a running cluster: submit, status, list, pareto, cancel, pause, resume.</summary>
public static class ClientCommands
{
    public const string ConnectionOptions = "[--gateway PORT[,PORT...]] [--cluster-id ID] [--service-id ID]";

    public static async Task<int> RunAsync(string verb, CommandArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var gateways = args.Value("gateway") ?? ClusterConnection.DefaultGateways;
        var clusterId = args.Value("cluster-id") ?? "prunercluster";
        var serviceId = args.Value("service-id") ?? "prunercluster";
        switch (verb)
        {
            case "submit":
            {
                var path = args.Required(0, "spec file (JSON)");
                var wait = args.Flag("wait");
                args.EnsureAllUsed();
                var spec = SpecFile.Load(path);
                await using var connection = await ClusterConnection.ConnectAsync(gateways, clusterId, serviceId, cancellationToken).ConfigureAwait(false);
                SubmissionResult result;
                using (PrunerClusterTelemetry.ActivitySource.StartActivity(PrunerClusterTelemetry.ActivitySubmit, System.Diagnostics.ActivityKind.Client))
                {
                    result = await connection.Grains.SubmitExperimentAsync(spec).ConfigureAwait(false);
                }

                if (!result.Accepted || result.ExperimentId is null)
                {
                    return SearchCommand.Rejected(output, path, result.Errors);
                }

                output.WriteLine(result.ExperimentId);
                if (wait)
                {
                    var status = await SearchCommand.WaitAsync(connection.Grains, result.ExperimentId, spec, output, cancellationToken).ConfigureAwait(false);
                    return status.State == ExperimentState.Completed ? 0 : 1;
                }

                return 0;
            }

            case "status":
            {
                var id = args.Required(0, "experiment id");
                var json = args.Flag("json");
                args.EnsureAllUsed();
                await using var connection = await ClusterConnection.ConnectAsync(gateways, clusterId, serviceId, cancellationToken).ConfigureAwait(false);
                var status = await (await ExistingAsync(connection.Grains, id).ConfigureAwait(false)).GetStatus().ConfigureAwait(false);
                output.WriteLine(json ? SpecFile.Serialize(status) : StatusLine.Format(status, null));
                if (!json)
                {
                    foreach (var e in status.Errors)
                    {
                        output.WriteLine($"  {e}");
                    }
                }

                return 0;
            }

            case "list":
            {
                var json = args.Flag("json");
                args.EnsureAllUsed();
                await using var connection = await ClusterConnection.ConnectAsync(gateways, clusterId, serviceId, cancellationToken).ConfigureAwait(false);
                var experiments = await connection.Grains.GetExperimentRegistry().List().ConfigureAwait(false);
                if (json)
                {
                    output.WriteLine(SpecFile.Serialize(experiments));
                    return 0;
                }

                foreach (var e in experiments.OrderBy(e => e.SubmittedAt))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.ExperimentId}  {e.Name,-24} {e.SubmittedAt:u}  {(e.Status is { } s ? StatusLine.Format(s, null) : "-")}"));
                }

                return 0;
            }

            case "pareto":
            {
                var id = args.Required(0, "experiment id");
                var json = args.Flag("json");
                var csv = args.Flag("csv");
                args.EnsureAllUsed();
                await using var connection = await ClusterConnection.ConnectAsync(gateways, clusterId, serviceId, cancellationToken).ConfigureAwait(false);
                var pareto = await (await ExistingAsync(connection.Grains, id).ConfigureAwait(false)).GetParetoSet().ConfigureAwait(false);
                output.Write(json ? SpecFile.Serialize(pareto) + Environment.NewLine : csv ? ParetoReport.Csv(pareto) : ParetoReport.Table(pareto));
                return 0;
            }

            case "cancel":
            case "pause":
            case "resume":
            {
                var id = args.Required(0, "experiment id");
                args.EnsureAllUsed();
                await using var connection = await ClusterConnection.ConnectAsync(gateways, clusterId, serviceId, cancellationToken).ConfigureAwait(false);
                var experiment = await ExistingAsync(connection.Grains, id).ConfigureAwait(false);
                var status = verb switch
                {
                    "cancel" => await experiment.Cancel().ConfigureAwait(false),
                    "pause" => await experiment.Pause().ConfigureAwait(false),
                    _ => await experiment.Resume().ConfigureAwait(false),
                };
                output.WriteLine(StatusLine.Format(status, null));
                return 0;
            }

            default:
                throw new CommandLineException($"unknown command '{verb}'");
        }
    }

    /// <summary>
    /// The experiment's coordinator, or a clear error for an id that was never submitted (a grain exists for every id, so
    /// a typo would otherwise show an empty, pending experiment).
    /// </summary>
    internal static async Task<IPopulationCoordinatorGrain> ExistingAsync(IGrainFactory grains, string id)
    {
        var experiment = grains.GetExperiment(id);
        if (await experiment.GetSpec().ConfigureAwait(false) is null)
        {
            throw new CommandLineException($"unknown experiment '{id}'; 'prunercluster list' shows the experiments of this cluster");
        }

        return experiment;
    }
}
