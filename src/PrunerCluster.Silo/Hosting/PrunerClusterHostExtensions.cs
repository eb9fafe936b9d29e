using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Configuration;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Telemetry;
using PrunerCluster.Pruning;
using PrunerCluster.Silo.Backends;
using PrunerCluster.Silo.Storage;
using PrunerCluster.Storage.Postgres;

namespace PrunerCluster.Silo.Hosting;

public static class PrunerClusterHostExtensions
{
    /// <summary>
    /// Makes this host a PrunerCluster silo from configuration: clustering ("PrunerCluster:Cluster"), slots and devices
    /// ("PrunerCluster"), the TorchSharp backend ("PrunerCluster:TorchSharp"), grain storage, reminders and telemetry.
    /// <paramref name="configureSilo"/> runs last, e.g. to add the synthetic backend.
    /// </summary>
    public static IHostApplicationBuilder UsePrunerClusterSilo(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configureSilo = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var cluster = configuration.GetSection(ClusterHostingOptions.SectionName).Get<ClusterHostingOptions>() ?? new ClusterHostingOptions();
        var failures = new ClusterHostingOptionsValidator().Validate(null, cluster);
        if (failures.Failed)
        {
            throw new OptionsValidationException(nameof(ClusterHostingOptions), typeof(ClusterHostingOptions), failures.Failures);
        }

        builder.Services.AddOptions<TorchSharpBackendOptions>().Bind(configuration.GetSection("PrunerCluster:TorchSharp")).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TorchSharpBackendOptions>, TorchSharpBackendOptionsValidator>());

        string? postgres = null;
        if (cluster.IsPostgres)
        {
            var pg = configuration.GetSection(PostgresOptions.SectionName).Get<PostgresOptions>() ?? new PostgresOptions();
            postgres = pg.ResolveConnectionString();
            if (pg.InitializeSchema)
            {
                // Registered before the silo's own hosted service, so the schema exists before the providers read it.
                var connectionString = postgres;
                builder.Services.AddHostedService(sp => new SchemaInitializer(
                    connectionString,
                    pg.StartupRetry,
                    sp.GetService<TimeProvider>() ?? TimeProvider.System,
                    sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SchemaInitializer>>()));
            }
        }

        builder.UseOrleans(silo =>
        {
            if (postgres is not null)
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ServiceId;
                });
                silo.ConfigureEndpoints(PostgresClusterExtensions.AdvertisedAddress(cluster.AdvertisedAddress), cluster.SiloPort, cluster.GatewayPort, cluster.ListenOnAnyHostAddress);
                silo.UsePostgresCluster(postgres, PrunerClusterStorage.Name);
            }
            else
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, cluster.PrimaryEndpoint, cluster.ServiceId, cluster.ClusterId);
                silo.AddMemoryGrainStorage(PrunerClusterStorage.Name);
                silo.UseInMemoryReminderService();
            }

            // Failure detection, e.g. shorter probes in tests: "PrunerCluster:Cluster:Membership:NumMissedProbesLimit" etc.
            silo.Services.Configure<ClusterMembershipOptions>(configuration.GetSection(ClusterHostingOptions.SectionName + ":Membership"));
            silo.AddActivityPropagation();
            silo.AddPrunerClusterGrains(options =>
            {
                configuration.GetSection("PrunerCluster").Bind(options);
                if (string.Equals(options.DeviceKind, "auto", StringComparison.OrdinalIgnoreCase))
                {
                    var gpus = CudaDevices();
                    options.DeviceKind = gpus > 0 ? "cuda" : "cpu";
                    options.DeviceCount = gpus > 0 ? gpus : Math.Min(options.DeviceCount, 1);
                }
            });
            silo.AddEvaluationBackend<TorchSharpEvaluationBackend>();
            if (cluster.EnableSyntheticBackend)
            {
                silo.AddSyntheticEvaluationBackend();
            }

            configureSilo?.Invoke(silo);
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PrunerClusterTelemetry.MeterName, "Microsoft.Orleans");
                if (cluster.ConsoleTelemetry)
                {
                    metrics.AddConsoleExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(PrunerClusterTelemetry.ActivitySourceName, "Microsoft.Orleans.Application");
                if (cluster.ConsoleTelemetry)
                {
                    tracing.AddConsoleExporter();
                }
            });
        _ = telemetry;
        return builder;
    }

    private static int CudaDevices()
    {
        try
        {
            return TorchSharp.torch.cuda.is_available() ? TorchSharp.torch.cuda.device_count() : 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or NotSupportedException)
        {
            return 0;
        }
    }
}
