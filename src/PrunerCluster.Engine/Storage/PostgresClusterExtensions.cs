using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using PrunerCluster.Storage.Postgres;

namespace PrunerCluster.Engine.Storage;

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
