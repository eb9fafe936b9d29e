using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Exporter;
using Orleans.Dashboard;
using PrunerCluster.Engine.Health;

namespace PrunerCluster.Engine.Hosting;

/// <summary>
/// The silo process. With "PrunerCluster:Http:Port" set it is an ASP.NET Core host serving /metrics (Prometheus),
/// /health/live, /health/ready and, when enabled, the Orleans dashboard on that port; without it, a plain host with no
/// HTTP listener at all.
/// </summary>
public static class SiloHost
{
    /// <summary>
    /// The silo process's defaults beneath its configuration: console log lines start with a UTC timestamp to the
    /// millisecond, one line per entry (operators compare silo logs with each other and with the database's), and spec
    /// paths are confined to the data roots (<see cref="Backends.SpecPaths"/>).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> HostDefaults = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        // A silo process serves whoever reaches its gateway: it opens no path a spec names outside its data roots.
        ["PrunerCluster:TorchSharp:TrustSpecPaths"] = "false",
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ ",
        ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
    };

    /// <summary>
    /// Runs the silo until <paramref name="cancellationToken"/> or the first SIGTERM, SIGHUP, SIGINT or SIGQUIT
    /// (<see cref="SiloSignalLifetime"/>: drain, then stop; a second signal ends the process at once). <paramref name="args"/>
    /// are configuration overrides plus <c>--grace SECONDS</c> (<see cref="SiloCommandLine"/>).
    /// </summary>
    public static async Task RunAsync(string[] args, Action<ISiloBuilder>? configureSilo = null, CancellationToken cancellationToken = default)
    {
        args = SiloCommandLine.Normalize(args);
        var web = WebApplication.CreateBuilder(args);
        WithHostDefaults(web.Configuration);
        SettingsFileSource.AddTo(web.Configuration, Environment.GetEnvironmentVariable(KubernetesEnvironment.SettingsFile));
        var http = web.Configuration.GetSection(SiloHttpOptions.SectionName).Get<SiloHttpOptions>() ?? new SiloHttpOptions();
        if (!http.Enabled)
        {
            var plain = Host.CreateApplicationBuilder(args);
            WithHostDefaults(plain.Configuration);
            SettingsFileSource.AddTo(plain.Configuration, Environment.GetEnvironmentVariable(KubernetesEnvironment.SettingsFile));
            plain.UsePrunerClusterSilo(configureSilo);
            plain.Services.AddSingleton<IHostLifetime, SiloSignalLifetime>();
            using var host = plain.Build();
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        web.UsePrunerClusterSilo(configureSilo);
        web.Services.AddSingleton<IHostLifetime, SiloSignalLifetime>();
        web.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(http.BindAddress), http.Port));
        await using var app = web.Build();
        app.MapPrunerClusterEndpoints(http);
        await app.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts <see cref="HostDefaults"/> beneath every other configuration source, so any of them overrides it.</summary>
    public static void WithHostDefaults(IConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = HostDefaults });
    }

    /// <summary>Maps the metrics, health and (optional) dashboard endpoints.</summary>
    public static WebApplication MapPrunerClusterEndpoints(this WebApplication app, SiloHttpOptions http)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(http);
        app.MapHealthChecks(SiloHttpOptions.LivenessPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Live), ResponseWriter = HealthResponse.WriteAsync });
        app.MapHealthChecks(SiloHttpOptions.ReadinessPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Ready), ResponseWriter = HealthResponse.WriteAsync });
        app.MapPrometheusScrapingEndpoint(SiloHttpOptions.MetricsPath);
        if (http.Dashboard)
        {
            app.MapOrleansDashboard(SiloHttpOptions.DashboardPath);
        }

        return app;
    }
}
