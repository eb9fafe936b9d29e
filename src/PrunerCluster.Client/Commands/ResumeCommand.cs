using System.CommandLine;
using PrunerCluster.Client.CommandLine;

namespace PrunerCluster.Client.Commands;

/// <summary><c>prunercluster resume &lt;id&gt;</c>.</summary>
public static class ResumeCommand
{
    public static Command Create(CliConsole console) =>
        ExperimentControl.Create(console, "resume", "Resume a paused experiment", e => e.Resume());
}
