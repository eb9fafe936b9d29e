namespace PrunerCluster.Contracts;

/// <summary>
/// The telemetry names that clients and silos share (the thin client cannot reference the grains). The silo side's
/// <c>PrunerClusterTelemetry</c> takes these from here; every other name lives there.
/// </summary>
public static class TelemetryNames
{
    /// <summary>Activity source and meter of the silos and grains.</summary>
    public const string ActivitySourceName = "PrunerCluster";

    /// <summary>Activity source of the command-line clients (one span per cluster command).</summary>
    public const string ClientActivitySourceName = "PrunerCluster.Client";

    /// <summary>Orleans' grain-call activity source: a client must listen to it for its context to travel with its calls.</summary>
    public const string OrleansApplicationActivitySource = "Microsoft.Orleans.Application";

    /// <summary>A client submitting an experiment (the root of the experiment's trace).</summary>
    public const string ActivitySubmit = "prunercluster.submit";

    /// <summary>Prefix of the span of every other client command that talks to the cluster (status, watch, cancel...).</summary>
    public const string ActivityClientCommandPrefix = "prunercluster.client.";

    public const string AttributeExperiment = "prunercluster.experiment.id";

    /// <summary>The client command a span covers (e.g. "submit", "watch").</summary>
    public const string AttributeCommand = "prunercluster.command";

    /// <summary>Standard OpenTelemetry variables: the OTLP collector endpoint (export is on when set) and the service name.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";

    public const string ClientServiceName = "prunercluster-client";

    /// <summary>Meter of the command-line clients (exported with their traces, behind the same switch).</summary>
    public const string ClientMeterName = "PrunerCluster.Client";

    /// <summary>Cluster commands run, by <see cref="AttributeCommand"/> and <see cref="AttributeOutcome"/>.</summary>
    public const string ClientCommands = "prunercluster.client.commands";

    /// <summary>Wall time of a cluster command, in seconds, by <see cref="AttributeCommand"/>.</summary>
    public const string ClientCommandDuration = "prunercluster.client.command.duration";

    /// <summary>Status polls of an attached client (<c>watch</c>, <c>submit --wait</c>).</summary>
    public const string ClientWatchPolls = "prunercluster.client.watch.polls";

    /// <summary>Calls retried while the cluster did not answer (a silo died and its experiments move).</summary>
    public const string ClientOutageRetries = "prunercluster.client.outage.retries";

    /// <summary>Outages ridden out: the cluster answered again after failed calls.</summary>
    public const string ClientOutageRecoveries = "prunercluster.client.outage.recoveries";

    /// <summary>Seconds from attaching to an experiment until it ended, by <see cref="AttributeState"/>.</summary>
    public const string ClientTimeToResult = "prunercluster.client.time_to_result";

    /// <summary>How a client command ended: "ok" or "error".</summary>
    public const string AttributeOutcome = "prunercluster.outcome";

    /// <summary>The state an experiment ended in (completed, failed, cancelled).</summary>
    public const string AttributeState = "prunercluster.experiment.state";
}
