using System.CommandLine;
using PrunerCluster.Client.CommandLine;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster pause &lt;id&gt;</c>.</summary>
public static class PauseCommand
{
    public static Command Create(CliConsole console) =>
        ExperimentControl.Create(console, "pause", "Pause an experiment: no new evaluations start until 'resume'", e => e.Pause());
}
