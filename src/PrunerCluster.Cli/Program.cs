using PrunerCluster.Cli.Commands;
using PrunerCluster.Client.CommandLine;

return await CliApp.RunAsync(CliCommands.CreateRoot(CliConsole.System), args);
