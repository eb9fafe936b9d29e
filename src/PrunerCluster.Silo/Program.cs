using Microsoft.Extensions.Hosting;
using PrunerCluster.Silo.Hosting;

// A PrunerCluster silo. Configuration: appsettings.json, PRUNERCLUSTER__... environment variables, and command-line
// overrides such as --PrunerCluster:Cluster:SiloPort=11112 --PrunerCluster:Cluster:GatewayPort=30001 --PrunerCluster:SlotsPerDevice=2.
var builder = Host.CreateApplicationBuilder(args);
builder.UsePrunerClusterSilo();
using var host = builder.Build();
await host.RunAsync();
