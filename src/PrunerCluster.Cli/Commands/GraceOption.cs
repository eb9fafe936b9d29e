using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Commands;

/// <summary>
/// <c>search --grace SECONDS</c>: what the first SIGINT, SIGTERM or SIGHUP does to an embedded search. The search stops
/// dispatching at once (the experiment is paused) and the evaluations in flight get up to that long to finish and be
/// booked; then it is cancelled and the run directory written. 0 (the default) cancels at once. A second signal ends the
/// process at once: every finished evaluation is already in the run directory's journal, and <c>--resume</c> continues.
/// </summary>
public static class GraceOption
{
    public const int MaxSeconds = GraceSeconds.MaxSeconds;

    public static Option<string?> Create() => GraceSeconds.Create(
        string.Create(CultureInfo.InvariantCulture, $"Seconds the evaluations in flight get to finish after the first Ctrl+C/SIGTERM/SIGHUP, with no new ones started (0..{MaxSeconds}, default 0: cancel at once); a second signal stops at once"));

    public static TimeSpan Parse(string? seconds) => GraceSeconds.Parse(seconds);

    /// <summary>Pauses the experiment, waits up to <paramref name="grace"/> for its evaluations in flight, then cancels it.</summary>
    public static async Task<ExperimentStatus> StopAsync(IPopulationCoordinatorGrain experiment, TimeSpan grace, string runDirectory, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(output);
        if (grace > TimeSpan.Zero)
        {
            var status = await experiment.Pause().ConfigureAwait(false);
            var before = status.Evaluated;
            if (status.InFlight > 0)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopping: no new evaluations; the {status.InFlight} in flight get up to {grace.TotalSeconds:0} s to finish (a second signal stops at once; 'prunercluster search --resume {runDirectory}' continues)"));
            }

            var waited = Stopwatch.StartNew();
            while (status.InFlight > 0 && waited.Elapsed < grace)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
                status = await experiment.GetStatus().ConfigureAwait(false);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"grace: {status.Evaluated - before} finished in {waited.Elapsed.TotalSeconds:0.0} s, {status.InFlight} still in flight are cancelled"));
        }

        return await experiment.Cancel().ConfigureAwait(false);
    }
}
