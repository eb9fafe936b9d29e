using System.CommandLine;
using PrunerCluster.Client.CommandLine;
using PrunerCluster.Client.Output;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Results;

/// <summary>Resolves an "experiment" argument: a run directory (or a file in it) first, else an experiment id on the cluster.</summary>
public static class ResultsSource
{
    public static bool IsRunDirectory(string target, out string directory)
    {
        ArgumentNullException.ThrowIfNull(target);
        directory = File.Exists(target) ? Path.GetDirectoryName(Path.GetFullPath(target))! : Path.GetFullPath(target);
        return System.IO.Directory.Exists(directory) && File.Exists(Path.Combine(directory, RunDirectory.ParetoJsonFileName));
    }

    public static async Task<ExperimentResults> LoadAsync(string target, ConnectionOptions connection, ParseResult parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (IsRunDirectory(target, out var directory))
        {
            return RunDirectory.Read(directory);
        }

        if (target.Contains('/', StringComparison.Ordinal) || target.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || System.IO.Directory.Exists(target))
        {
            throw new CliException($"'{target}' is not a run directory: it has no {RunDirectory.ParetoJsonFileName} ('prunercluster search' writes one under .prunercluster/runs/<id>)");
        }

        await using var cluster = await connection.ConnectAsync(parse, cancellationToken).ConfigureAwait(false);
        return await FromClusterAsync(cluster.Grains, target).ConfigureAwait(false);
    }

    public static async Task<ExperimentResults> FromClusterAsync(IGrainFactory grains, string id)
    {
        var experiment = await ExistingAsync(grains, id).ConfigureAwait(false);
        return new ExperimentResults
        {
            ExperimentId = id,
            Spec = await experiment.GetSpec().ConfigureAwait(false),
            Status = await experiment.GetStatus().ConfigureAwait(false),
            Pareto = await experiment.GetParetoSet().ConfigureAwait(false),
            Evaluations = await experiment.GetEvaluations().ConfigureAwait(false),
        };
    }

    /// <summary>
    /// The experiment's coordinator, or a clear error for an id that was never submitted (a grain exists for every id, so
    /// a typo would otherwise show an empty, pending experiment).
    /// </summary>
    public static async Task<IPopulationCoordinatorGrain> ExistingAsync(IGrainFactory grains, string id)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var experiment = grains.GetExperiment(id);
        if (await experiment.GetSpec().ConfigureAwait(false) is null)
        {
            throw new CliException($"unknown experiment '{id}'; 'prunercluster list' shows the experiments of this cluster");
        }

        return experiment;
    }
}
