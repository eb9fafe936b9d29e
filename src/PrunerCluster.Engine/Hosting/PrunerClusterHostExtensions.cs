using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using PrunerCluster.Grains.Hosting;
using PrunerCluster.Grains.Slots;
using PrunerCluster.Pruning;
using PrunerCluster.Pruning.Artifacts;
using PrunerCluster.Engine.Backends;
using PrunerCluster.Engine.Storage;
using PrunerCluster.Storage.Postgres;
using Orleans.Runtime.Hosting;
using PrunerCluster.Engine.Health;
using PrunerCluster.Engine.Localhost;
using PrunerCluster.Client.Security;

namespace PrunerCluster.Engine.Hosting;

public static class PrunerClusterHostExtensions
{
    /// <summary>
    /// Makes this host a PrunerCluster silo from configuration: clustering ("PrunerCluster:Cluster"), slots and devices
    /// ("PrunerCluster"), the TorchSharp backend ("PrunerCluster:TorchSharp"), grain storage, reminders, health checks,
    /// the graceful drain ("PrunerCluster:Drain"), the dashboard ("PrunerCluster:Http") and telemetry.
    /// <paramref name="configureSilo"/> runs last, e.g. to add the synthetic backend. The HTTP endpoints themselves are
    /// served by <see cref="SiloHost"/> when "PrunerCluster:Http:Port" is set.
    /// </summary>
    public static IHostApplicationBuilder UsePrunerClusterSilo(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configureSilo = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var cluster = configuration.GetSection(ClusterHostingOptions.SectionName).Get<ClusterHostingOptions>() ?? new ClusterHostingOptions();
        Validate(new ClusterHostingOptionsValidator().Validate(null, cluster), typeof(ClusterHostingOptions));
        var http = configuration.GetSection(SiloHttpOptions.SectionName).Get<SiloHttpOptions>() ?? new SiloHttpOptions();
        Validate(new SiloHttpOptionsValidator().Validate(null, http), typeof(SiloHttpOptions));
        var drain = configuration.GetSection(DrainOptions.SectionName).Get<DrainOptions>() ?? new DrainOptions();
        Validate(new DrainOptionsValidator().Validate(null, drain), typeof(DrainOptions));
        var tls = LoadTls(builder);

        builder.Services.AddOptions<TorchSharpBackendOptions>().Bind(configuration.GetSection("PrunerCluster:TorchSharp")).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TorchSharpBackendOptions>, TorchSharpBackendOptionsValidator>());
        builder.Services.TryAddSingleton<PruningHostServices>();
        builder.Services.AddOptions<SiloHttpOptions>().Bind(configuration.GetSection(SiloHttpOptions.SectionName));
        builder.Services.AddOptions<ClusterHostingOptions>().Bind(configuration.GetSection(ClusterHostingOptions.SectionName));
        builder.Services.AddOptions<DrainOptions>().Bind(configuration.GetSection(DrainOptions.SectionName));

        var postgres = AddStorage(builder, cluster);
        builder.UseOrleans(silo =>
        {
            if (Environment.GetEnvironmentVariable(KubernetesEnvironment.PodName) is { Length: > 0 } podName)
            {
                silo.Configure<SiloOptions>(o => o.SiloName = podName);
            }

            ConfigureClustering(silo, cluster, postgres);
            if (tls is not null)
            {
                silo.UsePrunerClusterTls(tls);
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

            if (http.Dashboard)
            {
                silo.AddDashboard();
            }

            configureSilo?.Invoke(silo);
        });

        AddHealthChecks(builder.Services);

        if (drain.Enabled)
        {
            builder.Services.AddHostedService<SiloDrainService>();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = drain.ShutdownBudget);
        }

        builder.AddPrunerClusterTelemetry("prunercluster-silo", new TelemetryExport(Prometheus: http.Enabled, Console: cluster.ConsoleTelemetry));
        return builder;
    }

    /// <summary>The silo's mutual-TLS material when "PrunerCluster:Tls:Enabled" (owned by the host's container), else null.</summary>
    private static MutualTlsMaterial? LoadTls(IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TlsHostingOptions.SectionName).Get<TlsHostingOptions>() ?? new TlsHostingOptions();
        Validate(new TlsHostingOptionsValidator().Validate(null, options), typeof(TlsHostingOptions));
        if (!options.Enabled)
        {
            return null;
        }

        MutualTlsMaterial material;
        try
        {
            material = MutualTlsMaterial.Load(options.Paths());
        }
        catch (InvalidDataException ex)
        {
            throw new OptionsValidationException(TlsHostingOptions.SectionName, typeof(TlsHostingOptions), [ex.Message]);
        }

        builder.Services.AddSingleton(material);
        builder.Services.AddSingleton<Grains.Hosting.IClientCertificateTrust>(new CaClientCertificateTrust(material));
        return material;
    }

    /// <summary>
    /// PostgreSQL's connection string in postgres mode (null in localhost mode), with its schema initializer, and the
    /// artifact store: a local directory, or in postgres mode PostgreSQL with this silo's own cache in front of it.
    /// </summary>
    private static string? AddStorage(IHostApplicationBuilder builder, ClusterHostingOptions cluster)
    {
        var configuration = builder.Configuration;
        string? postgres = null;
        if (cluster.IsPostgres)
        {
            var pg = configuration.GetSection(PostgresOptions.SectionName).Get<PostgresOptions>() ?? new PostgresOptions();

            // The Helm chart passes its Secret as ConnectionStrings__prunercluster.
            pg.ConnectionString ??= configuration.GetConnectionString(KubernetesEnvironment.DatabaseConnectionName);
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

        // Fine-tuned weights and baseline checkpoints: a local directory, or in postgres mode PostgreSQL with this silo's
        // own cache directory in front of it, so a silo on another machine evaluates and exports from what any silo stored.
        var artifactDatabase = postgres;
        builder.Services.TryAddSingleton<IArtifactStore>(sp =>
        {
            var local = new LocalArtifactStore(sp.GetRequiredService<IOptions<TorchSharpBackendOptions>>().Value.ResolvedArtifactDirectory);
            return artifactDatabase is null
                ? local
                : new CachedArtifactStore(local, new PostgresArtifactStore(artifactDatabase), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<CachedArtifactStore>>());
        });

        return postgres;
    }

    /// <summary>Membership and grain state: PostgreSQL, or the primary silo in localhost mode.</summary>
    private static void ConfigureClustering(ISiloBuilder silo, ClusterHostingOptions cluster, string? postgres)
    {
        if (postgres is not null)
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });

            // In a pod: advertise the pod IP from the downward API and listen on every address.
            ConfigureEndpoints(silo, cluster, Environment.GetEnvironmentVariable(KubernetesEnvironment.PodIp));
            silo.UsePostgresCluster(postgres, PrunerClusterStorage.Name);
        }
        else
        {
            // Localhost mode: state lives on the primary silo, beside the membership it keeps.
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, cluster.PrimaryEndpoint, cluster.ServiceId, cluster.ClusterId);
            ConfigureEndpoints(silo, cluster, podIp: null);
            silo.Services.TryAddSingleton<LocalhostRecordStore>();
            silo.Services.AddGrainStorage(PrunerClusterStorage.Name, (sp, _) => ActivatorUtilities.CreateInstance<LocalhostGrainStorage>(sp));

            // The default in-cluster directory deactivates every activation registered in a partition that a leaving silo
            // held, the in-memory store on the primary included, which took every experiment's state with it when a
            // secondary was stopped. The strongly consistent directory hands its ranges over instead.
#pragma warning disable ORLEANSEXP003
            silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            silo.Services.AddPlacementDirector<PrimarySiloPlacement, PrimarySiloPlacementDirector>();
            silo.UseInMemoryReminderService();
        }
    }

    private static void AddHealthChecks(IServiceCollection services) =>
        services.AddHealthChecks()
            .Add(new("membership-live", sp => Create<MembershipHealthCheck>(sp, false), null, [HealthTags.Live]))
            .Add(new("slots-live", sp => Create<SlotExecutorHealthCheck>(sp, false), null, [HealthTags.Live]))
            .Add(new("membership", sp => Create<MembershipHealthCheck>(sp, true), null, [HealthTags.Ready]))
            .Add(new("storage", sp => ActivatorUtilities.CreateInstance<StorageHealthCheck>(sp), null, [HealthTags.Ready], StorageHealthCheck.Timeout * 2))
            .Add(new("slots", sp => Create<SlotExecutorHealthCheck>(sp, true), null, [HealthTags.Ready]));

    /// <summary>The advertised and listening endpoints of both ports (overrides UseLocalhostClustering's loopback-only ones).</summary>
    private static void ConfigureEndpoints(ISiloBuilder silo, ClusterHostingOptions cluster, string? podIp)
    {
        var (advertised, listen) = cluster.ResolveEndpoints(podIp);
        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = advertised;
            o.SiloPort = cluster.SiloPort;
            o.GatewayPort = cluster.GatewayPort;
            o.SiloListeningEndpoint = new System.Net.IPEndPoint(listen, cluster.SiloPort);
            o.GatewayListeningEndpoint = new System.Net.IPEndPoint(listen, cluster.GatewayPort);
        });
    }

    private static T Create<T>(IServiceProvider services, bool flag) => ActivatorUtilities.CreateInstance<T>(services, flag);

    private static void Validate(ValidateOptionsResult result, Type options)
    {
        if (result.Failed)
        {
            throw new OptionsValidationException(options.Name, options, result.Failures);
        }
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
