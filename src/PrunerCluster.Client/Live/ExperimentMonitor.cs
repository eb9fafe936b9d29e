using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Contracts;
using Spectre.Console;

namespace PrunerCluster.Client.Live;

/// <summary>Polls one experiment (status every interval, the front when it changed) into a progress view.</summary>
public static class ExperimentMonitor
{
    public static IProgressView CreateView(CliConsole console, string title, bool plain)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (plain || !console.IsTerminal)
        {
            return new PlainProgressView(console.Out, TimeProvider.System);
        }

        var ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Out) });
        return new LiveProgressView(ansi, TimeProvider.System, title);
    }

    /// <summary>
    /// Polls until the experiment ends. A cluster that stops answering (its coordinator's silo died, and the experiment is
    /// moving) is retried for <paramref name="outage"/>'s tolerance before the failure propagates.
    /// </summary>
    public static Task<ExperimentStatus> RunAsync(IGrainFactory grains, string id, BudgetSettings? budget, IProgressView view, TimeSpan interval, CancellationToken cancellationToken, Action<ExperimentStatus>? observe = null, ClusterOutage? outage = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(view);
        var experiment = grains.GetExperiment(id);
        var tracker = new ProgressTracker(budget, TimeProvider.System);
        ParetoSet? pareto = null;
        (int, int)? paretoKey = null;
        outage ??= ClusterOutage.Default();
        return view.RunAsync(
            async ct =>
            {
                var status = await outage.RunAsync(() => experiment.GetStatus().WaitAsync(ct), ct).ConfigureAwait(false);
                ClientMetrics.Polled();
                observe?.Invoke(status);
                var key = (status.Evaluated, status.ParetoSize);
                if (key != paretoKey)
                {
                    pareto = await outage.RunAsync(() => experiment.GetParetoSet().WaitAsync(ct), ct).ConfigureAwait(false);
                    paretoKey = key;
                }

                return tracker.Next(status, pareto);
            },
            interval,
            cancellationToken);
    }
}
