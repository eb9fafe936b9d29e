using System.CommandLine;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Hosting;

/// <summary>
/// The client's traces and metrics: one span per command that talks to the cluster ("prunercluster.submit" for submit), current while
/// the command runs so Orleans carries its context to the grains (the experiment span becomes its descendant). Exported
/// over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard OTEL_EXPORTER_OTLP_* variables configure it), and
/// printed to stderr on request (<see cref="TraceConsoleOptionName"/>). The client's metrics (<see cref="ClientMetrics"/>)
/// go to the same OTLP endpoint behind the same switch.
/// </summary>
public static class ClientTelemetry
{
    public const string TraceConsoleOptionName = "--trace-console";

    /// <summary>Standard OpenTelemetry variable: "grpc" (default) or "http/protobuf".</summary>
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    private const string TracesPath = "/v1/traces";
    private const string MetricsPath = "/v1/metrics";

    public static ActivitySource Source { get; } = new(TelemetryNames.ClientActivitySourceName);

    /// <summary>A command that talks to the cluster: it has the connection options.</summary>
    public static bool IsClusterCommand(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.CommandResult.Command.Options.Any(o => o.Name == CommandLine.ConnectionOptions.GatewayName);
    }

    public static bool TraceConsoleRequested(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var option = parse.CommandResult.Command.Options.OfType<Option<bool>>().FirstOrDefault(o => o.Name == TraceConsoleOptionName);
        return option is not null && parse.GetValue(option);
    }

    public static string SpanName(string command) =>
        command == "submit" ? TelemetryNames.ActivitySubmit : TelemetryNames.ActivityClientCommandPrefix + command;

    /// <summary>Starts the command's span (null when nobody listens or the command does not talk to the cluster).</summary>
    public static Activity? StartCommand(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (!IsClusterCommand(parse))
        {
            return null;
        }

        var command = parse.CommandResult.Command.Name;
        var activity = Source.StartActivity(SpanName(command), ActivityKind.Client);
        activity?.SetTag(TelemetryNames.AttributeCommand, command);
        // Only an id the user gave is read: a help request without it has none, and GetValue would throw.
        if (activity is not null && parse.CommandResult.Command.Arguments.FirstOrDefault(a => a.Name == "id") is { } argument
            && parse.GetResult(argument) is { Tokens.Count: > 0 } && parse.GetValue<string>("id") is { } id)
        {
            activity.SetTag(TelemetryNames.AttributeExperiment, id);
        }

        return activity;
    }

    /// <summary>
    /// The process's tracer provider: OTLP when <see cref="TelemetryNames.OtlpEndpointVariable"/> is set, span lines on
    /// <paramref name="console"/> when given; null when neither (nothing is recorded then).
    /// </summary>
    public static TracerProvider? CreateProvider(Func<string, string?> environment, TextWriter? console)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var uri = Endpoint(environment);
        if (uri is null && console is null)
        {
            return null;
        }

        var builder = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService(environment(TelemetryNames.ServiceNameVariable) ?? TelemetryNames.ClientServiceName))
            .AddSource(TelemetryNames.ClientActivitySourceName, TelemetryNames.OrleansApplicationActivitySource);
        if (uri is not null)
        {
            builder.AddOtlpExporter(o => Configure(o, uri, environment(ProtocolVariable), TracesPath));
        }

        if (console is not null)
        {
            builder.AddProcessor(new SimpleActivityExportProcessor(new SpanLineExporter(console)));
        }

        return builder.Build();
    }

    /// <summary>
    /// The process's meter provider for <see cref="ClientMetrics"/>: OTLP when <see cref="TelemetryNames.OtlpEndpointVariable"/>
    /// is set (exported when the provider is disposed at the command's end, and periodically for a long one); null when not.
    /// </summary>
    public static MeterProvider? CreateMeterProvider(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (Endpoint(environment) is not { } uri)
        {
            return null;
        }

        return Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService(environment(TelemetryNames.ServiceNameVariable) ?? TelemetryNames.ClientServiceName))
            .AddMeter(TelemetryNames.ClientMeterName)
            .AddOtlpExporter(o => Configure(o, uri, environment(ProtocolVariable), MetricsPath))
            .Build();
    }

    /// <summary>The OTLP endpoint, null when the variable is unset or blank; an endpoint that is not an http(s) URL is one clear error.</summary>
    private static Uri? Endpoint(Func<string, string?> environment)
    {
        var endpoint = environment(TelemetryNames.OtlpEndpointVariable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CommandLine.CliException($"{TelemetryNames.OtlpEndpointVariable} must be an absolute URL such as http://collector:4317, got '{endpoint}'");
        }

        return uri;
    }

    /// <summary>The standard variables' meaning: gRPC by default; with http/protobuf the signal's path is added to the base endpoint.</summary>
    private static void Configure(OtlpExporterOptions options, Uri uri, string? protocol, string path)
    {
        var http = string.Equals(protocol?.Trim(), "http/protobuf", StringComparison.OrdinalIgnoreCase);
        options.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        options.Endpoint = http && !uri.AbsolutePath.EndsWith(path, StringComparison.Ordinal)
            ? new Uri(uri, uri.AbsolutePath.TrimEnd('/') + path)
            : uri;
    }
}
