using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Grains.Hosting;

/// <summary>
/// What one submission may ask of the cluster ("PrunerCluster:Limits"), checked before anything runs. Clients are anonymous
/// (no authentication yet), so the limits hold per cluster, not per client.
/// </summary>
public sealed class SubmissionLimits
{
    /// <summary>Largest <c>search.populationSize</c>.</summary>
    public int MaxPopulation { get; set; } = 1024;

    /// <summary>Largest <c>budget.maxEvaluations</c>; a spec must set one (or a wall clock) anyway.</summary>
    public int MaxEvaluations { get; set; } = 100_000;

    /// <summary>Experiments that may be queued or running at once; a submission beyond them is refused until one ends.</summary>
    public int MaxActiveExperiments { get; set; } = 64;

    /// <summary>The spec's fields beyond the limits, each naming the value, the limit and the setting that raises it.</summary>
    public IReadOnlyList<SpecError> Check(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<SpecError>();
        if (spec.Search.PopulationSize > MaxPopulation)
        {
            errors.Add(new("search.populationSize", string.Create(CultureInfo.InvariantCulture, $"{spec.Search.PopulationSize} is over this cluster's limit of {MaxPopulation} (PrunerCluster:Limits:MaxPopulation)")));
        }

        if (spec.Budget.MaxEvaluations is { } evaluations && evaluations > MaxEvaluations)
        {
            errors.Add(new("budget.maxEvaluations", string.Create(CultureInfo.InvariantCulture, $"{evaluations} is over this cluster's limit of {MaxEvaluations} (PrunerCluster:Limits:MaxEvaluations)")));
        }

        return errors;
    }

    /// <summary>The refusal when <paramref name="active"/> experiments are already queued or running, else null.</summary>
    public SpecError? CheckActive(int active) =>
        active >= MaxActiveExperiments
            ? new("spec", string.Create(CultureInfo.InvariantCulture, $"the cluster already runs {active} experiment(s), its limit (PrunerCluster:Limits:MaxActiveExperiments = {MaxActiveExperiments}); cancel one or submit when one ends"))
            : null;

    public IEnumerable<string> Problems()
    {
        if (MaxPopulation < 2)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"PrunerCluster:Limits:MaxPopulation must be at least 2, got {MaxPopulation}.");
        }

        if (MaxEvaluations < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"PrunerCluster:Limits:MaxEvaluations must be at least 1, got {MaxEvaluations}.");
        }

        if (MaxActiveExperiments < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"PrunerCluster:Limits:MaxActiveExperiments must be at least 1, got {MaxActiveExperiments}.");
        }
    }
}
