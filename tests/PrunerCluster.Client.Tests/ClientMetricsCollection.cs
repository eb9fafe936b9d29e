namespace PrunerCluster.Client.Tests;

/// <summary>Tests that record or listen to the client's process-wide meter run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClientMetricsCollection
{
    public const string Name = "client-metrics";
}
