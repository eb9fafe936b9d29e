using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Commands;

namespace PrunerCluster.Cli.Commands;

/// <summary>The full prunercluster CLI: the thin client's verbs plus those that run models here (embedded search, export...).</summary>
public static class CliCommands
{
    public static RootCommand CreateRoot(CliConsole console)
    {
        var root = CliApp.CreateRoot(ClientCommands.Description, [TrainCommand.Create(console), SensitivityCommand.Create(console), SearchCommand.Create(console), BaselineCommand.Create(console), ExportCommand.Create(console), RecoverCommand.Create(console), VerifyCommand.Create(console), Quality.QualityCommand.Create(console), LocalValidateCommand.Create(console), .. ClientCommands.Create(console).Where(c => c.Name != "validate")]);
        return root;
    }
}
