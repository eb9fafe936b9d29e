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
}
