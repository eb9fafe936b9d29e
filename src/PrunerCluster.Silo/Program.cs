using Microsoft.Extensions.Options;
using PrunerCluster.Engine.Hosting;
using PrunerCluster.Storage.Postgres;

// A PrunerCluster silo. Configuration: appsettings.json, PrunerCluster__... environment variables, and command-line
// overrides such as --PrunerCluster:Cluster:SiloPort=11112 --PrunerCluster:Cluster:GatewayPort=30001 --PrunerCluster:SlotsPerDevice=2.
// --PrunerCluster:Http:Port=8080 serves /metrics, /health/live, /health/ready (and /dashboard with --PrunerCluster:Http:Dashboard=true).
try
{
    await SiloHost.RunAsync(args);
    return 0;
}
catch (Exception ex) when (ex is OptionsValidationException or PostgresConfigurationException or SettingsFileException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
