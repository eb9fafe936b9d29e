using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrunerCluster.Client.Hosting;
using PrunerCluster.Engine.Localhost;
using PrunerCluster.Pruning;

namespace PrunerCluster.Engine.Hosting;

/// <summary>One process hosting a localhost silo and its client: the single-machine mode, no database.</summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedCluster(IHost host, int gatewayPort)
    {
        _host = host;
        GatewayPort = gatewayPort;
    }

    /// <summary>The silo's gateway port: a separate client (e.g. 'prunercluster submit --gateway PORT') can connect to it.</summary>
    public int GatewayPort { get; }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's grain state: attach a journal to make it durable, seed it with another run's finished evaluations.</summary>
    public LocalhostRecordStore State => _host.Services.GetRequiredService<LocalhostRecordStore>();

    /// <summary>Adds the finished evaluations of the journal at <paramref name="journalPath"/> to this silo's memo; returns how many.</summary>
    public int SeedFinishedEvaluations(string journalPath) =>
        State.Seed(FinishedEvaluations.From(StateJournal.Read(journalPath), _host.Services.GetRequiredService<Orleans.Serialization.Serializer>()));

    /// <summary>The silo's data set cache and device gates: work this process runs beside the silo (the noise probe) shares them.</summary>
    public PruningHostServices PruningServices => _host.Services.GetRequiredService<PruningHostServices>();

    /// <param name="logFile">Where logs go instead of the console (while a live view owns the terminal); null: the console.</param>
    /// <param name="services">The data set cache, device gates and reference calibration the silo runs with, when this process's other work
    /// must share them (null: the silo owns a set of its own, <see cref="PruningServices"/>).</param>
    public static async Task<EmbeddedCluster> StartAsync(int slots, bool verbose, IReadOnlyDictionary<string, string?>? overrides, CancellationToken cancellationToken, string? logFile = null, PruningHostServices? services = null)
    {
        var ports = FreePorts.Take(2);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = false, Args = [] });
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PrunerCluster:Cluster:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["PrunerCluster:Cluster:PrimarySiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["PrunerCluster:Cluster:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["PrunerCluster:DeviceKind"] = "auto",
            ["PrunerCluster:DeviceCount"] = "1",
            ["PrunerCluster:SlotsPerDevice"] = slots.ToString(CultureInfo.InvariantCulture),

            // One process, one user at the terminal: Ctrl-C stops at once instead of draining like a cluster silo.
            ["PrunerCluster:Drain:Enabled"] = "false",
        };
        if (overrides is not null)
        {
            foreach (var (k, v) in overrides)
            {
                settings[k] = v;
            }
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        if (logFile is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
        else
        {
            builder.Services.AddSingleton<ILoggerProvider>(_ => new FileLoggerProvider(logFile));
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", verbose ? LogLevel.Warning : LogLevel.Error);

        // Orleans' internal placement retries log through Polly; while the one silo stops they warn, with a stack trace, of "no active nodes".
        builder.Logging.AddFilter("Polly", verbose ? LogLevel.Warning : LogLevel.Error);
        builder.Logging.AddFilter("PrunerCluster", verbose ? LogLevel.Debug : LogLevel.Information);
        builder.Logging.AddFilter("PrunerCluster.Grains", verbose ? LogLevel.Debug : LogLevel.Warning);
        if (services is not null)
        {
            builder.Services.AddSingleton(services);
        }

        builder.UsePrunerClusterSilo();
        builder.Services.AddSingleton<IHostLifetime, CommandHostLifetime>();
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new EmbeddedCluster(host, ports[1]);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
