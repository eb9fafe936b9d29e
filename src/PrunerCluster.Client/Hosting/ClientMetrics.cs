using System.Diagnostics.Metrics;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Hosting;

/// <summary>
/// The client's instruments on the meter <see cref="TelemetryNames.ClientMeterName"/>: cluster commands run and their
/// wall time, status polls of an attached client, calls retried through a cluster outage and outages ridden out, and the
/// time from attaching to an experiment to its end. Recorded always; exported only when the process has a meter provider.
/// </summary>
public static class ClientMetrics
{
    public static Meter Meter { get; } = new(TelemetryNames.ClientMeterName);

    private static readonly Counter<long> Commands = Meter.CreateCounter<long>(TelemetryNames.ClientCommands, "{command}", "Cluster commands run");
    private static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>(TelemetryNames.ClientCommandDuration, "s", "Wall time of a cluster command");
    private static readonly Counter<long> WatchPolls = Meter.CreateCounter<long>(TelemetryNames.ClientWatchPolls, "{poll}", "Status polls of an attached client");
    private static readonly Counter<long> OutageRetries = Meter.CreateCounter<long>(TelemetryNames.ClientOutageRetries, "{retry}", "Calls retried while the cluster did not answer");
    private static readonly Counter<long> OutageRecoveries = Meter.CreateCounter<long>(TelemetryNames.ClientOutageRecoveries, "{outage}", "Outages ridden out");
    private static readonly Histogram<double> TimeToResult = Meter.CreateHistogram<double>(TelemetryNames.ClientTimeToResult, "s", "Time from attaching to an experiment until it ended");

    public static void CommandFinished(string command, bool ok, TimeSpan elapsed)
    {
        var commandTag = new KeyValuePair<string, object?>(TelemetryNames.AttributeCommand, command);
        Commands.Add(1, commandTag, new KeyValuePair<string, object?>(TelemetryNames.AttributeOutcome, ok ? "ok" : "error"));
        CommandDuration.Record(elapsed.TotalSeconds, commandTag);
    }

    public static void Polled() => WatchPolls.Add(1);

    public static void Retried() => OutageRetries.Add(1);

    public static void Recovered() => OutageRecoveries.Add(1);

    public static void ResultReached(ExperimentState state, TimeSpan elapsed) =>
        TimeToResult.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TelemetryNames.AttributeState, state.ToString().ToLowerInvariant()));

}
