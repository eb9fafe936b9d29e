namespace PrunerCluster.Cli.Commands;

/// <summary><c>resume.json</c> of an embedded run directory: which experiment its journal holds, searched with which spec.</summary>
public sealed record RunMarker(string ExperimentId, string SpecKey);
