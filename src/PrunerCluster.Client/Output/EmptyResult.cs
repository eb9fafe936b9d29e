using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Output;

/// <summary>
/// Why a run ended with an empty Pareto set, in one sentence the user can act on: nothing finished (stopped, failed or out
/// of budget), every evaluation failed (with the most common reason), or no successful member met the constraints.
/// </summary>
public static class EmptyResult
{
    public static string Explain(ExperimentStatus? status, IReadOnlyList<EvaluationRecord> evaluations, ExperimentSpec? spec)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var succeeded = evaluations.Count(e => e.Succeeded);
        var why = evaluations.Count == 0 ? NothingFinished(status, spec)
            : succeeded == 0 ? AllFailed(evaluations)
            : string.Create(CultureInfo.InvariantCulture, $"none of the {succeeded} successful evaluation(s) met the constraints ({Constraints(spec)}); loosen them or give the search more evaluations");
        return "nothing was found: " + why;
    }

    private static string NothingFinished(ExperimentStatus? status, ExperimentSpec? spec) => status?.State switch
    {
        ExperimentState.Cancelled => "the search was stopped before any evaluation finished",
        ExperimentState.Failed => "the experiment failed before any evaluation finished" + (status.Errors.FirstOrDefault(e => !ExperimentStatus.IsNote(e)) is { } error ? $" ({error})" : ""),
        ExperimentState.Completed when spec?.Budget.WallClock is { } wall => string.Create(
            CultureInfo.InvariantCulture,
            $"no evaluation finished within the wall-clock budget of {wall:c}; raise budget.wallClock or make evaluations cheaper (fewer fine-tune steps, fewer validation samples)"),
        ExperimentState.Completed => "the budget ended before any evaluation finished; raise the budget",
        _ => "no evaluation has finished yet",
    };

    private static string AllFailed(IReadOnlyList<EvaluationRecord> evaluations)
    {
        var common = evaluations
            .GroupBy(e => e.FailureReason ?? "no reason given", StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .First();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"all {evaluations.Count} evaluation(s) failed; the most common reason ({common.Count()} of {evaluations.Count}): {common.Key} (every reason is in evaluations.csv)");
    }

    private static string Constraints(ExperimentSpec? spec) => spec is { Constraints.Count: > 0 }
        ? string.Join(", ", spec.Constraints.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Metric} {(c.Operator == ConstraintOperator.LessOrEqual ? "<=" : ">=")} {c.Threshold:G6}")))
        : "none given";
}
