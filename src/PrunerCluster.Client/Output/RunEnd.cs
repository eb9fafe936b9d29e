using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Output;

/// <summary>
/// What a finished cluster experiment leaves on the client's machine when <c>submit --wait</c> or <c>watch</c> sees it end:
/// the run directory (as embedded <c>search</c> writes it, final table included) and the same closing lines.
/// </summary>
public static class RunEnd
{
    public const string DefaultRunsRoot = ".prunercluster/runs";

    /// <summary>Writes <c>&lt;runsRoot&gt;/&lt;id&gt;</c> and prints the Pareto table, the final table and how to export; returns the run directory.</summary>
    public static async Task<string> WriteAsync(IPopulationCoordinatorGrain experiment, string id, string? runsRoot, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(output);
        var outage = Live.ClusterOutage.Default();
        var spec = await outage.RunAsync(experiment.GetSpec, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"experiment '{id}' has no spec");
        var status = await outage.RunAsync(experiment.GetStatus, cancellationToken).ConfigureAwait(false);
        var pareto = await outage.RunAsync(experiment.GetParetoSet, cancellationToken).ConfigureAwait(false);
        var evaluations = await outage.RunAsync(experiment.GetEvaluations, cancellationToken).ConfigureAwait(false);
        var recovered = await outage.RunAsync(experiment.GetFinalRecovery, cancellationToken).ConfigureAwait(false);
        var directory = Path.Combine(Path.GetFullPath(runsRoot ?? DefaultRunsRoot), PathSegment.Safe(id));
        RunDirectory.Write(directory, spec, status, pareto, evaluations);

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{status.State}: {status.Evaluated} evaluated ({status.Failed} failed), Pareto set of {pareto.Entries.Count}:"));
        output.WriteLine(ParetoReport.Table(pareto));
        foreach (var error in status.Errors)
        {
            output.WriteLine($"note: {error}");
        }

        PrintWhere(output, directory, evaluations);
        var pick = recovered is null ? null : FinalRecoveryOutput.WriteAndPrint(directory, recovered, output);
        PrintNextSteps(output, directory, spec, status, pareto, evaluations, pick);
        return directory;
    }

    /// <summary>The compute the search spent and where its run directory is.</summary>
    public static void PrintWhere(TextWriter output, string directory, IReadOnlyList<EvaluationRecord> evaluations)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(Results.SearchCompute.Of(evaluations).Describe());
        output.WriteLine($"results: {directory} (report.html, pareto.json/csv, evaluations.json/csv, plots/)");
    }

    /// <summary>The closing lines: the report, then the member to export (<paramref name="pick"/>, else #1) or why the set is empty.</summary>
    public static void PrintNextSteps(TextWriter output, string directory, ExperimentSpec spec, ExperimentStatus status, ParetoSet pareto, IReadOnlyList<EvaluationRecord> evaluations, string? pick)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(pareto);
        output.WriteLine($"open the report: {Path.Combine(directory, RunDirectory.ReportFileName)}");
        output.WriteLine(pareto.Entries.Count == 0
            ? EmptyResult.Explain(status, evaluations, spec)
            : $"export a model: prunercluster export {directory} --pick {pick ?? "1 (the number in the table above)"}");
    }
}
