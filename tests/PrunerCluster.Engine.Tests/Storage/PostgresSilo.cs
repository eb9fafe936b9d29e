using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrunerCluster.Engine.Hosting;

namespace PrunerCluster.Engine.Tests.Storage;

/// <summary>An in-process silo configured exactly as prunercluster-silo in postgres mode (synthetic backend on).</summary>
internal sealed class PostgresSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private PostgresSilo(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<PostgresSilo> StartAsync(string connectionString, string clusterId, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        var settings = new Dictionary<string, string?>
        {
            ["PrunerCluster:Cluster:Mode"] = "postgres",
            ["PrunerCluster:Cluster:ClusterId"] = clusterId,
            ["PrunerCluster:Cluster:ServiceId"] = clusterId,
            ["PrunerCluster:Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["PrunerCluster:Cluster:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["PrunerCluster:Cluster:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["PrunerCluster:Cluster:EnableSyntheticBackend"] = "true",
            ["PrunerCluster:Postgres:ConnectionString"] = connectionString,
            ["PrunerCluster:Postgres:InitializeSchema"] = "true",
            ["PrunerCluster:DeviceKind"] = "cpu",
            ["PrunerCluster:DeviceCount"] = "1",
            ["PrunerCluster:SlotsPerDevice"] = "2",
            ["PrunerCluster:CoordinatorTick"] = "00:00:00.200",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.UsePrunerClusterSilo();
        var host = builder.Build();
        await host.StartAsync();
        return new PostgresSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        finally
        {
            _host.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
