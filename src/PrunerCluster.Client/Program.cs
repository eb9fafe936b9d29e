using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Commands;

// prunercluster-client: the thin client (no TorchSharp); 'prunercluster' adds the embedded and model verbs.
return await CliApp.RunAsync(CliApp.CreateRoot(ClientCommands.Description + " (thin client)", ClientCommands.Create(CliConsole.System)), args);
