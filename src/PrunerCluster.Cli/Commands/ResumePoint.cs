using PrunerCluster.Contracts;

namespace PrunerCluster.Cli.Commands;

/// <summary>An interrupted embedded run to continue: its directory, experiment id and the spec it was searched with.</summary>
public sealed record ResumePoint(string Directory, string ExperimentId, ExperimentSpec Spec)
{
    public string JournalPath => Path.Combine(Directory, RunJournal.JournalFileName);

    /// <summary>The folder holding the run directory (where the silo saves recovered models under the experiment id).</summary>
    public string RunsRoot => Path.GetDirectoryName(Directory) ?? Directory;
}
