using System.CommandLine;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Client.Security;

namespace PrunerCluster.Client.CommandLine;

/// <summary>The options every cluster command shares; defaults come from PRUNERCLUSTER_* environment variables.</summary>
public sealed class ConnectionOptions
{
    public const string GatewayName = "--gateway";

    public Option<string> Gateway { get; } = new(GatewayName)
    {
        Description = "Gateway(s) of the cluster, comma-separated: a port on this machine or HOST:PORT [env PRUNERCLUSTER_GATEWAY]",
        HelpName = "PORT|HOST:PORT[,...]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PRUNERCLUSTER_GATEWAY") ?? ClusterConnection.DefaultGateways,
    };

    public Option<string> ClusterId { get; } = new("--cluster-id")
    {
        Description = "Orleans cluster id [env PRUNERCLUSTER_CLUSTER_ID]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PRUNERCLUSTER_CLUSTER_ID") ?? "prunercluster",
    };

    public Option<string> ServiceId { get; } = new("--service-id")
    {
        Description = "Orleans service id [env PRUNERCLUSTER_SERVICE_ID]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PRUNERCLUSTER_SERVICE_ID") ?? "prunercluster",
    };

    /// <summary>Discovery through PostgreSQL: the silos' membership table lists the live gateways.</summary>
    public Option<string?> ConnectionStringFile { get; } = PostgresConnectionOptions.ConnectionStringFileOption(
        "File holding the PostgreSQL connection string of a postgres-mode cluster: its live gateways are read from the membership table (overrides --gateway) [env PRUNERCLUSTER_POSTGRES_FILE]");

    public Option<double> ConnectTimeout { get; } = new("--connect-timeout")
    {
        Description = "Seconds to wait for a gateway before giving up",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => ClusterConnection.DefaultConnectTimeout.TotalSeconds,
    };

    public Option<string?> TlsCertificate { get; } = TlsOption("--tls-cert", MutualTlsClient.CertificateVariable, "This client's PEM certificate, for a cluster with mutual TLS");

    public Option<string?> TlsKey { get; } = TlsOption("--tls-key", MutualTlsClient.KeyVariable, "Its PEM private key");

    public Option<string?> TlsCa { get; } = TlsOption("--tls-ca", MutualTlsClient.CaVariable, "The PEM certificate of the cluster's CA (gateways must chain to it)");

    public Option<string?> ClientName { get; } = new("--client-name")
    {
        Description = $"The name this client submits under on a cluster without mutual TLS, for per-client limits (advisory: anyone may claim any name; with TLS the certificate identifies the client) [env {ClientIdentityStamp.NameVariable}, default the login name]",
        HelpName = "NAME",
    };

    public static ConnectionOptions AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var options = new ConnectionOptions();
        command.Options.Add(options.Gateway);
        command.Options.Add(options.ClusterId);
        command.Options.Add(options.ServiceId);
        command.Options.Add(options.ConnectTimeout);
        command.Options.Add(options.ConnectionStringFile);
        command.Options.Add(options.TlsCertificate);
        command.Options.Add(options.TlsKey);
        command.Options.Add(options.TlsCa);
        command.Options.Add(options.ClientName);
        command.Options.Add(new Option<bool>(ClientTelemetry.TraceConsoleOptionName)
        {
            Description = "Print this command's trace spans to stderr (OTLP export needs only OTEL_EXPORTER_OTLP_ENDPOINT)",
        });
        options.ConnectTimeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is <= 0 or double.NaN)
            {
                r.AddError("--connect-timeout must be a positive number of seconds");
            }
        });
        return options;
    }

    /// <summary>
    /// Where to find the gateways: <c>--connection-string-file</c> (PostgreSQL discovery), else <c>--gateway</c>, else
    /// PRUNERCLUSTER_GATEWAY, else PRUNERCLUSTER_POSTGRES_FILE or PRUNERCLUSTER_POSTGRES (PostgreSQL discovery), else the
    /// default local ports.
    /// </summary>
    public string ResolveGateway(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (!string.IsNullOrWhiteSpace(parse.GetValue(ConnectionStringFile)))
        {
            return ClusterConnection.PostgresGateways(PostgresConnectionOptions.Required(parse, null, ConnectionStringFile));
        }

        var gatewayGiven = parse.GetResult(Gateway) is { Implicit: false } || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PRUNERCLUSTER_GATEWAY"));
        if (!gatewayGiven && PostgresConnectionOptions.Optional(parse, null, ConnectionStringFile) is { } fromEnvironment)
        {
            return ClusterConnection.PostgresGateways(fromEnvironment);
        }

        return parse.GetValue(Gateway)!;
    }

    public Task<ClusterConnection> ConnectAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return ClusterConnection.ConnectAsync(
            ResolveGateway(parse),
            parse.GetValue(ClusterId)!,
            parse.GetValue(ServiceId)!,
            cancellationToken,
            TimeSpan.FromSeconds(parse.GetValue(ConnectTimeout)),
            CliApp.IsVerbose(parse),
            ResolveTls(parse),
            parse.GetValue(ClientName));
    }

    /// <summary>The client's mutual-TLS files (all three options or none), null for a cluster without TLS.</summary>
    public MutualTlsPaths? ResolveTls(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return MutualTlsClient.Resolve(
                Named(TlsCertificate, MutualTlsClient.CertificateVariable, parse),
                Named(TlsKey, MutualTlsClient.KeyVariable, parse),
                Named(TlsCa, MutualTlsClient.CaVariable, parse));
        }
        catch (InvalidDataException ex)
        {
            throw new CliException(ex.Message, ExitCodes.Usage, ex);
        }
    }

    private static (string, string?) Named(Option<string?> option, string variable, ParseResult parse) => ($"{option.Name} [{variable}]", parse.GetValue(option));

    private static Option<string?> TlsOption(string name, string variable, string description) => new(name)
    {
        Description = $"{description} [env {variable}]",
        HelpName = "PEM",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(variable),
    };
}
