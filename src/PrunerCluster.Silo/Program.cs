using PrunerCluster.Silo.Hosting;

// A PrunerCluster silo. Configuration: appsettings.json, PrunerCluster__... environment variables, and command-line
// overrides such as --PrunerCluster:Cluster:SiloPort=11112 --PrunerCluster:Cluster:GatewayPort=30001 --PrunerCluster:SlotsPerDevice=2.
// --PrunerCluster:Http:Port=8080 serves /metrics, /health/live, /health/ready (and /dashboard with --PrunerCluster:Http:Dashboard=true).
await SiloHost.RunAsync(args);
