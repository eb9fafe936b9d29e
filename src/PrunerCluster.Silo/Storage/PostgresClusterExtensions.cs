using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace PrunerCluster.Silo.Storage;

/// <summary>PostgreSQL as the one store of a cluster: membership, grain state (named <paramref name="storageName"/>) and reminders.</summary>
public static class PostgresClusterExtensions
{
    /// <summary>
    /// Membership, the grain storage named <paramref name="storageName"/> and reminders in PostgreSQL. Grain state is stored
    /// with the Orleans serializer (the [GenerateSerializer] contracts with stable ids), not JSON, so every state round-trips.
    /// </summary>
    public static ISiloBuilder UsePostgresCluster(this ISiloBuilder silo, string connectionString, string storageName)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresOptions.Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(storageName, builder => builder.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = PostgresOptions.Invariant;
            o.ConnectionString = connectionString;
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = PostgresOptions.Invariant;
            o.ConnectionString = connectionString;
        });
        return silo;
    }

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

    /// <summary>The address a silo advertises: the configured one, else the first IPv4 address of this host's name, else loopback.</summary>
    public static IPAddress AdvertisedAddress(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return IPAddress.Parse(configured);
        }

        try
        {
            return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                ?? IPAddress.Loopback;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return IPAddress.Loopback;
        }
    }
}
