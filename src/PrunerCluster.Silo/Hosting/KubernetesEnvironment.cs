namespace PrunerCluster.Silo.Hosting;

/// <summary>Environment variables a pod passes to the silo through the downward API (see helm/prunercluster).</summary>
public static class KubernetesEnvironment
{
    /// <summary>The pod's IP: the silo and gateway endpoints advertised to the cluster.</summary>
    public const string PodIp = "POD_IP";

    /// <summary>The pod's name: the silo name shown in membership, logs and the dashboard.</summary>
    public const string PodName = "POD_NAME";

    public const string PodNamespace = "POD_NAMESPACE";

    /// <summary>OTLP collector endpoint (standard OpenTelemetry variable): when set, traces and metrics are exported there.</summary>
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Standard OpenTelemetry service name variable.</summary>
    public const string OtelServiceName = "OTEL_SERVICE_NAME";
}
