using Orleans.Configuration;

namespace PrunerCluster.Storage.Postgres;

/// <summary>Client side of a PostgreSQL cluster.</summary>
public static class PostgresClientExtensions
{
    /// <summary>A client that finds the gateways of live silos in PostgreSQL's membership table.</summary>
    public static IClientBuilder UsePostgresClustering(this IClientBuilder client, string connectionString, string clusterId, string serviceId)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = serviceId;
        });
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresOptions.Invariant;
            o.ConnectionString = connectionString;
        });

        // Silos come and go (any may die, a restarted one joins a few seconds later): re-read the live gateways often.
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        return client;
    }
}
