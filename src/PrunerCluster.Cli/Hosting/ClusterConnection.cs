using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrunerCluster.Cli.Commands;
using PrunerCluster.Silo.Hosting;

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

    public static async Task<ClusterConnection> ConnectAsync(string gateways, string clusterId, string serviceId, CancellationToken cancellationToken, TimeSpan? connectTimeout = null)
    {
        var ports = ParsePorts(gateways);
        var timeout = connectTimeout ?? DefaultConnectTimeout;
        // No defaults: the silo's appsettings.json (copied beside this tool) must not turn on its logging here. Client logs
        // go to stderr and the host prints no status lines, so stdout carries only the command's output (e.g. pareto --json).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.UseOrleansClient(client => client.UseLocalhostClustering(ports, serviceId, clusterId).AddActivityPropagation());
        builder.AddPrunerClusterTelemetry("prunercluster-cli", TelemetryExport.None);
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
            throw new CommandLineException($"cannot connect to the cluster at gateway port(s) {gateways} (cluster '{clusterId}'): {reason}. Start silos with cluster/scripts/local-cluster.sh or 'dotnet run --project src/PrunerCluster.Silo', or use 'prunercluster search' for the embedded mode.", ex);
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
