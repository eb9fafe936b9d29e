using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Commands;
using PrunerCluster.Contracts;
using PrunerCluster.Engine.Backends;

namespace PrunerCluster.Cli.Commands;

/// <summary>The full prunercluster CLI: the thin client's verbs plus those that run models here (embedded search, export...).</summary>
public static class CliCommands
{
    public static RootCommand CreateRoot(CliConsole console)
    {
        var root = CliApp.CreateRoot(ClientCommands.Description, [TrainCommand.Create(console), SensitivityCommand.Create(console), SearchCommand.Create(console), BaselineCommand.Create(console), ExportCommand.Create(console), RecoverCommand.Create(console), VerifyCommand.Create(console), Quality.QualityCommand.Create(console), .. ClientCommands.Create(console, LocalChecks)]);
        return root;
    }

    /// <summary>
    /// What <c>validate</c> adds in the full CLI: the checks a TorchSharp silo makes at submit time (data set files, image
    /// size and class count, the model against the data, baseline checkpoint, evaluation settings), run on this machine.
    /// </summary>
    private static IReadOnlyList<SpecError>? LocalChecks(ExperimentSpec spec) =>
        spec.Backend == TorchSharpEvaluationBackend.BackendName ? LocalBackend.Create(postgres: null).Validate(spec) : null;
}
