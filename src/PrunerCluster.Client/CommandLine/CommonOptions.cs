using System.CommandLine;

namespace PrunerCluster.Client.CommandLine;

/// <summary>Factories for options several commands share, so each has the same name and help everywhere.</summary>
public static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Write machine-readable JSON to stdout (stable field names, camelCase)" };

    public static Argument<string> ExperimentId() => new("id") { Description = "Experiment id (as printed by submit; 'prunercluster list' shows them)" };

    public static Argument<string> ExperimentOrRun() => new("experiment") { Description = "A run directory written by 'search' (or its pareto.json), or an experiment id on the cluster" };
}
