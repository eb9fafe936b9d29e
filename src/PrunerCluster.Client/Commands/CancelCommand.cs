using System.CommandLine;
using PrunerCluster.Client.CommandLine;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster cancel &lt;id&gt;</c>.</summary>
public static class CancelCommand
{
    public static Command Create(CliConsole console) =>
        ExperimentControl.Create(console, "cancel", "Cancel an experiment; its results so far are kept", e => e.Cancel());
}
