namespace PrunerCluster.Cli.Commands;

/// <summary>The experiment an embedded search follows, its run directory, and the run whose finished evaluations it was seeded with (null: none).</summary>
public sealed record StartedRun(string ExperimentId, string Directory, string? ReusedFrom);
