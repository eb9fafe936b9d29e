using System.CommandLine;
using System.Globalization;
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
    public const string CtrlCHelp = "Ctrl+C detaches: the experiment keeps running on the cluster (watch it again any time); SIGTERM and SIGHUP detach too (exit 143, 129); --grace keeps waiting that long for the end first.";

    /// <summary>
    /// <c>--grace SECONDS</c> of <c>watch</c> and <c>submit --wait</c>: after the first signal the live view stops and the
    /// client keeps waiting up to that long for the experiment to end; if it does, its run directory is written and the
    /// exit code is the experiment's (0 completed, 1 otherwise), else the client detaches (130/143/129).
    /// </summary>
    public static Option<string?> GraceOption() => GraceSeconds.Create(
        FormattableString.Invariant($"Seconds to keep waiting for the experiment to end after the first Ctrl+C/SIGTERM/SIGHUP (0..{GraceSeconds.MaxSeconds}, default 0: detach at once); it ends within them: its run directory is written and the exit code is the experiment's; a second signal detaches at once"));

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
        var grace = GraceOption();
        var command = new Command("watch", "Attach to a running experiment and show its live progress; when it ends, write its run directory (Pareto set, final table, plots, HTML report). " + CtrlCHelp) { id, plain, interval, runs, grace };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var graceTime = GraceSeconds.Parse(parse.GetValue(grace));
            await using var cluster = await connection.ConnectAsync(parse, ct).ConfigureAwait(false);
            var experimentId = parse.GetValue(id)!;
            var experiment = await ResultsSource.ExistingAsync(cluster.Grains, experimentId).ConfigureAwait(false);
            var spec = await experiment.GetSpec().ConfigureAwait(false);
            return await AttachAsync(cluster.Grains, experimentId, spec?.Budget, console, parse.GetValue(plain), TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(interval))), ct, parse.GetValue(runs), graceTime).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// Shows progress until the experiment ends, then writes its run directory under <paramref name="runsRoot"/> (exit 0 when
    /// completed, 1 otherwise), or a signal detaches (130 for Ctrl+C, 143 for SIGTERM, 129 for SIGHUP). With
    /// <paramref name="grace"/>, the first signal stops the live view and the client waits that long for the end before it
    /// detaches. Once the end is seen, the run directory is written to the last file whatever signal comes first (a second
    /// signal ends the process at once).
    /// </summary>
    public static async Task<int> AttachAsync(IGrainFactory grains, string id, BudgetSettings? budget, CliConsole console, bool plain, TimeSpan interval, CancellationToken cancellationToken, string? runsRoot = null, TimeSpan grace = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(console);
        var view = ExperimentMonitor.CreateView(console, $"experiment {id}", plain);
        var attached = TimeProvider.System.GetTimestamp();
        ExperimentStatus final;
        try
        {
            final = await ExperimentMonitor.RunAsync(grains, id, budget, view, interval, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Out.WriteLine();
            if (grace <= TimeSpan.Zero || await WaitForEndAsync(grains, id, grace, interval, console.Out).ConfigureAwait(false) is not { } ended)
            {
                console.Out.WriteLine($"detached: experiment {id} keeps running on the cluster ('prunercluster watch {id}' re-attaches, 'prunercluster cancel {id}' stops it)");
                return ExitCodes.Interrupted;
            }

            final = ended;
        }

        ClientMetrics.ResultReached(final.State, TimeProvider.System.GetElapsedTime(attached));
        console.Out.WriteLine($"experiment {id} {final.State.ToString().ToLowerInvariant()}: {final.Evaluated} evaluated, {final.Failed} failed, Pareto set of {final.ParetoSize}");

        // Not cancelled by a first signal: a run directory is written whole or, after a second signal, not finished at all.
        await RunEnd.WriteAsync(grains.GetExperiment(id), id, runsRoot, console.Out, CancellationToken.None).ConfigureAwait(false);
        return final.State == ExperimentState.Completed ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>
    /// After the first signal: polls the experiment's status every <paramref name="interval"/> for up to
    /// <paramref name="grace"/>; its terminal status, or null when it is still going (or the cluster stops answering).
    /// </summary>
    private static async Task<ExperimentStatus?> WaitForEndAsync(IGrainFactory grains, string id, TimeSpan grace, TimeSpan interval, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopping: waiting up to {grace.TotalSeconds:0} s for experiment {id} to end (a second signal detaches at once)"));
        var experiment = grains.GetExperiment(id);
        using var deadline = new CancellationTokenSource(grace);
        try
        {
            while (true)
            {
                var status = await experiment.GetStatus().WaitAsync(deadline.Token).ConfigureAwait(false);
                if (status.State.IsTerminal())
                {
                    return status;
                }

                await Task.Delay(interval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || CliErrors.IsClusterFailure(ex))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"grace: experiment {id} did not end within {grace.TotalSeconds:0} s"));
            return null;
        }
    }
}
