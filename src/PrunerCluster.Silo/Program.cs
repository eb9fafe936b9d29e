using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PrunerCluster.Silo.Hosting;
using PrunerCluster.Storage.Postgres;

// A PrunerCluster silo. Configuration: appsettings.json, PRUNERCLUSTER__... environment variables, and command-line
// overrides such as --PrunerCluster:Cluster:SiloPort=11112 --PrunerCluster:Cluster:GatewayPort=30001 --PrunerCluster:SlotsPerDevice=2.
IHost host;
try
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.UsePrunerClusterSilo();
    host = builder.Build();
}
catch (Exception ex) when (ex is OptionsValidationException or PostgresConfigurationException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

using (host)
{
    await host.RunAsync();
}

return 0;
