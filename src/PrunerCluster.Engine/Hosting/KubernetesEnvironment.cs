namespace PrunerCluster.Engine.Hosting;

/// <summary>Environment variables a pod passes to the silo through the downward API (see helm/prunercluster).</summary>
public static class KubernetesEnvironment
{
    /// <summary>The pod's IP: the silo and gateway endpoints advertised to the cluster.</summary>
    public const string PodIp = "POD_IP";

    /// <summary>The pod's name: the silo name shown in membership, logs and the dashboard.</summary>
    public const string PodName = "POD_NAME";

    public const string PodNamespace = "POD_NAMESPACE";

    /// <summary>OTLP collector endpoint (standard OpenTelemetry variable): when set, traces and metrics are exported there.</summary>
    public const string OtlpEndpoint = Contracts.TelemetryNames.OtlpEndpointVariable;

    /// <summary>
    /// The PostgreSQL connection string, from the chart's Secret: configuration "ConnectionStrings:prunercluster"
    /// (<c>configuration.GetConnectionString(DatabaseConnectionName)</c>), read by the PostgreSQL cluster mode.
    /// </summary>
    public const string DatabaseConnectionString = "ConnectionStrings__" + DatabaseConnectionName;

    public const string DatabaseConnectionName = "prunercluster";

    /// <summary>libtorch's OpenMP thread count (it ignores container CPU limits); the chart sets it to the torch threads.</summary>
    public const string OmpThreads = "OMP_NUM_THREADS";

    /// <summary>
    /// A JSON settings file layered over every other configuration source (<see cref="SettingsFileSource"/>); the chart
    /// points it at the ConfigMap of named clients' limits.
    /// </summary>
    public const string SettingsFile = "PRUNERCLUSTER_SETTINGS_FILE";

    /// <summary>Standard OpenTelemetry service name variable.</summary>
    public const string OtelServiceName = Contracts.TelemetryNames.ServiceNameVariable;
}
