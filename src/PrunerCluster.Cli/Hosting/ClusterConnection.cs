using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrunerCluster.Cli.Commands;
using PrunerCluster.Silo.Storage;

namespace PrunerCluster.Cli.Hosting;

/// <summary>A client of a running PrunerCluster cluster (localhost gateways).</summary>
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

    public static async Task<ClusterConnection> ConnectAsync(string gateways, string clusterId, string serviceId, CancellationToken cancellationToken, TimeSpan? connectTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        var postgres = gateways.StartsWith(PostgresPrefix, StringComparison.Ordinal) ? gateways[PostgresPrefix.Length..] : null;
        var ports = postgres is null ? ParsePorts(gateways) : [];
        var where = postgres is null ? $"gateway port(s) {gateways}" : $"the gateways listed in PostgreSQL at {PostgresOptions.Describe(postgres)}";
        var timeout = connectTimeout ?? DefaultConnectTimeout;
        // No defaults: the silo's appsettings.json (copied beside this tool) must not turn on its logging here. Client logs
        // go to stderr and the host prints no status lines, so stdout carries only the command's output (e.g. pareto --json).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.UseOrleansClient(client =>
        {
            if (postgres is null)
            {
                client.UseLocalhostClustering(ports, serviceId, clusterId);
            }
            else
            {
                client.UsePostgresClustering(postgres, clusterId, serviceId);
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
            throw new CommandLineException($"cannot connect to the cluster at {where} (cluster '{clusterId}'): {reason}. Start silos with cluster/scripts/local-cluster.sh or 'dotnet run --project src/PrunerCluster.Silo', or use 'prunercluster search' for the embedded mode.", ex);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new ClusterConnection(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }

    private static int[] ParsePorts(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ports = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out ports[i]) || ports[i] is < IPEndPoint.MinPort + 1 or > IPEndPoint.MaxPort)
            {
                throw new CommandLineException($"option --gateway must be a comma-separated list of TCP ports, got '{text}'");
            }
        }

        return ports.Length > 0 ? ports : throw new CommandLineException("option --gateway must name at least one port");
    }
}
