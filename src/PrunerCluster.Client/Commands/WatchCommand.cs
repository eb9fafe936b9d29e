using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Live;
using PrunerCluster.Client.Output;
using PrunerCluster.Client.Results;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster watch &lt;id&gt;</c>: live progress of a running experiment; Ctrl+C detaches.</summary>
public static class WatchCommand
{
    public const string CtrlCHelp = "Ctrl+C detaches: the experiment keeps running on the cluster (watch it again any time); SIGTERM and SIGHUP detach too (exit 143, 129).";

    public static Option<bool> PlainOption() => new("--plain") { Description = "Plain progress lines instead of the live view (automatic when stdout is not a terminal)" };

    public static Option<double> IntervalOption() => new("--interval")
    {
        Description = "Seconds between polls",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 1.0,
    };

    public static Option<string?> RunsOption() => new("--out", "-o")
    {
        Description = "Folder under which the run directory <out>/<id> is written when the experiment ends (default .prunercluster/runs)",
        HelpName = "DIR",
    };

    public static Command Create(CliConsole console)
    {
        var id = CommonOptions.ExperimentId();
        var plain = PlainOption();
        var interval = IntervalOption();
        var runs = RunsOption();
        var command = new Command("watch", "Attach to a running experiment and show its live progress; when it ends, write its run directory (Pareto set, final table, plots, HTML report). " + CtrlCHelp) { id, plain, interval, runs };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var cluster = await connection.ConnectAsync(parse, ct).ConfigureAwait(false);
            var experimentId = parse.GetValue(id)!;
            var experiment = await ResultsSource.ExistingAsync(cluster.Grains, experimentId).ConfigureAwait(false);
            var spec = await experiment.GetSpec().ConfigureAwait(false);
            return await AttachAsync(cluster.Grains, experimentId, spec?.Budget, console, parse.GetValue(plain), TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(interval))), ct, parse.GetValue(runs)).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// Shows progress until the experiment ends, then writes its run directory under <paramref name="runsRoot"/> (exit 0 when
    /// completed, 1 otherwise), or a signal detaches (130 for Ctrl+C, 143 for SIGTERM, 129 for SIGHUP).
    /// </summary>
    public static async Task<int> AttachAsync(IGrainFactory grains, string id, BudgetSettings? budget, CliConsole console, bool plain, TimeSpan interval, CancellationToken cancellationToken, string? runsRoot = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        var view = ExperimentMonitor.CreateView(console, $"experiment {id}", plain);
        var attached = TimeProvider.System.GetTimestamp();
        try
        {
            var final = await ExperimentMonitor.RunAsync(grains, id, budget, view, interval, cancellationToken).ConfigureAwait(false);
            ClientMetrics.ResultReached(final.State, TimeProvider.System.GetElapsedTime(attached));
            console.Out.WriteLine($"experiment {id} {final.State.ToString().ToLowerInvariant()}: {final.Evaluated} evaluated, {final.Failed} failed, Pareto set of {final.ParetoSize}");
            await RunEnd.WriteAsync(grains.GetExperiment(id), id, runsRoot, console.Out, cancellationToken).ConfigureAwait(false);
            return final.State == ExperimentState.Completed ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Out.WriteLine();
            console.Out.WriteLine($"detached: experiment {id} keeps running on the cluster ('prunercluster watch {id}' re-attaches, 'prunercluster cancel {id}' stops it)");
            return ExitCodes.Interrupted;
        }
    }
}
