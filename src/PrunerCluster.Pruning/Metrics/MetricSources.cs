namespace PrunerCluster.Pruning.Metrics;

/// <summary>How an energy figure was obtained.</summary>
public static class MetricSources
{
    public const string Measured = "measured";
    public const string Modeled = "modeled";
    public const string Analytic = "analytic";
    public const string MeasuredNvml = "measured-nvml";
    public const string MeasuredRapl = "measured-rapl";
}
