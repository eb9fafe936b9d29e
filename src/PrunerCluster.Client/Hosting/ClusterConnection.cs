using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Security;
using PrunerCluster.Storage.Postgres;

namespace PrunerCluster.Client.Hosting;

/// <summary>A client of a running PrunerCluster cluster: localhost gateway ports, or the live gateways PostgreSQL lists.</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    public const string DefaultGateways = "30000";
    private readonly IHost _host;

    private ClusterConnection(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>How long a client command waits for a gateway before giving up (Orleans' client otherwise retries forever).</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(15);

    private const string PostgresPrefix = "postgres:";

    /// <summary>The gateways argument that makes <see cref="ConnectAsync"/> read the live gateways from PostgreSQL's membership table.</summary>
    public static string PostgresGateways(string connectionString) => PostgresPrefix + connectionString;

    /// <summary>The PostgreSQL connection string of a <see cref="PostgresGateways"/> argument; null for gateway ports.</summary>
    public static string? PostgresConnectionString(string gateways)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        return gateways.StartsWith(PostgresPrefix, StringComparison.Ordinal) ? gateways[PostgresPrefix.Length..] : null;
    }

    /// <param name="tls">The client's mutual-TLS files, for a cluster that requires them; null connects without TLS.</param>
    /// <param name="clientName">The name this client declares to a cluster without TLS (advisory; default: the login name).</param>
    public static async Task<ClusterConnection> ConnectAsync(string gateways, string clusterId, string serviceId, CancellationToken cancellationToken, TimeSpan? connectTimeout = null, bool verbose = false, MutualTlsPaths? tls = null, string? clientName = null)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        var postgres = gateways.StartsWith(PostgresPrefix, StringComparison.Ordinal) ? gateways[PostgresPrefix.Length..] : null;
        var listed = postgres is null ? GatewayAddresses.Parse(gateways) : [];
        var endpoints = listed.Any(g => g.Host is not null) ? await GatewayAddresses.ResolveAsync(listed, cancellationToken).ConfigureAwait(false) : null;
        var where = postgres is null ? $"{(endpoints is null ? "gateway port(s)" : "gateway(s)")} {gateways}" : $"the gateways listed in PostgreSQL at {PostgresOptions.Describe(postgres)}";
        var timeout = connectTimeout ?? DefaultConnectTimeout;
        // No defaults: the silo's appsettings.json (copied beside this tool) must not turn on its logging here. Client logs
        // go to stderr and the host prints no status lines, so stdout carries only the command's output (e.g. pareto --json).
        // Without --verbose the client logs nothing: a failure reaches the user as one line from CliErrors.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Warning : LogLevel.None);
        builder.Services.AddSingleton<IHostLifetime, CommandHostLifetime>();
        var material = LoadTls(tls);
        if (material is not null)
        {
            builder.Services.AddSingleton(material);
        }

        builder.UseOrleansClient(client =>
        {
            client.UsePrunerClusterIdentity(clientName, material?.Certificate);
            if (material is not null)
            {
                client.UsePrunerClusterTls(material);
            }

            if (postgres is not null)
            {
                client.UsePostgresClustering(postgres, clusterId, serviceId).AddActivityPropagation();
            }
            else if (endpoints is null)
            {
                client.UseLocalhostClustering([.. listed.Select(g => g.Port)], serviceId, clusterId).AddActivityPropagation();
            }
            else
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = serviceId;
                });
                client.UseStaticClustering(endpoints).AddActivityPropagation();
            }
        });
        var host = builder.Build();
        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connecting.CancelAfter(timeout);
        try
        {
            await host.StartAsync(connecting.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var reason = ex is OperationCanceledException ? string.Create(CultureInfo.InvariantCulture, $"no gateway answered within {timeout.TotalSeconds:F0} s") : ex.Message;
            throw new CliException($"cannot connect to the cluster at {where} (cluster '{clusterId}'): {CliErrors.OneLine(reason)}; {CliErrors.ClusterHint}{(tls is null ? "; a cluster with mutual TLS also needs --tls-cert, --tls-key and --tls-ca" : string.Empty)}", ExitCodes.Unavailable, ex);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new ClusterConnection(host);
    }

    private static MutualTlsMaterial? LoadTls(MutualTlsPaths? tls)
    {
        try
        {
            return tls is null ? null : MutualTlsMaterial.Load(tls);
        }
        catch (InvalidDataException ex)
        {
            throw new CliException(ex.Message, ExitCodes.Usage, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A client whose gateway is gone must still leave promptly: stopping only closes connections.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException || CliErrors.IsClusterFailure(ex))
        {
            // Nothing to report: the command's own outcome has been decided already.
        }
        finally
        {
            _host.Dispose();
        }
    }
}
