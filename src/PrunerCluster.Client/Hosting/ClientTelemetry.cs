using System.CommandLine;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Hosting;

/// <summary>
/// The client's traces: one span per command that talks to the cluster ("prunercluster.submit" for submit), current while
/// the command runs so Orleans carries its context to the grains (the experiment span becomes its descendant). Exported
/// over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard OTEL_EXPORTER_OTLP_* variables configure it), and
/// printed to stderr on request (<see cref="TraceConsoleOptionName"/>).
/// </summary>
public static class ClientTelemetry
{
    public const string TraceConsoleOptionName = "--trace-console";

    /// <summary>Standard OpenTelemetry variable: "grpc" (default) or "http/protobuf".</summary>
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    private const string TracesPath = "/v1/traces";

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
        var endpoint = environment(TelemetryNames.OtlpEndpointVariable);
        var otlp = !string.IsNullOrWhiteSpace(endpoint);
        Uri? uri = null;
        if (otlp && (!Uri.TryCreate(endpoint!.Trim(), UriKind.Absolute, out uri) || uri.Scheme is not ("http" or "https")))
        {
            throw new CommandLine.CliException($"{TelemetryNames.OtlpEndpointVariable} must be an absolute URL such as http://collector:4317, got '{endpoint}'");
        }

        if (!otlp && console is null)
        {
            return null;
        }

        var builder = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService(environment(TelemetryNames.ServiceNameVariable) ?? TelemetryNames.ClientServiceName))
            .AddSource(TelemetryNames.ClientActivitySourceName, TelemetryNames.OrleansApplicationActivitySource);
        if (otlp)
        {
            builder.AddOtlpExporter(o => Configure(o, uri!, environment(ProtocolVariable)));
        }

        if (console is not null)
        {
            builder.AddProcessor(new SimpleActivityExportProcessor(new SpanLineExporter(console)));
        }

        return builder.Build();
    }

    /// <summary>The standard variables' meaning: gRPC by default; with http/protobuf the traces path is added to the base endpoint.</summary>
    private static void Configure(OtlpExporterOptions options, Uri uri, string? protocol)
    {
        var http = string.Equals(protocol?.Trim(), "http/protobuf", StringComparison.OrdinalIgnoreCase);
        options.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        options.Endpoint = http && !uri.AbsolutePath.EndsWith(TracesPath, StringComparison.Ordinal)
            ? new Uri(uri, uri.AbsolutePath.TrimEnd('/') + TracesPath)
            : uri;
    }
}
