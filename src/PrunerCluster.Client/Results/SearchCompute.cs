using System.Globalization;
using PrunerCluster.Contracts;

namespace PrunerCluster.Client.Results;

/// <summary>
/// What a search spent, counted two ways: slot-seconds (each evaluation's wall time on its slot) and samples through
/// forward+backward and forward-only passes; per rung when the search had a fidelity ladder. Cache hits cost nothing.
/// </summary>
public sealed record SearchCompute(double SlotSeconds, double TrainSamples, double ForwardSamples, IReadOnlyList<RungCompute> Rungs)
{
    public static SearchCompute Of(IReadOnlyList<EvaluationRecord> evaluations)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var spent = evaluations.Where(r => !r.FromCache).ToList();
        var rungs = spent.Where(r => r.Metrics.ContainsKey(MetricNames.FidelityRung))
            .GroupBy(r => (int)r.Metrics[MetricNames.FidelityRung])
            .OrderBy(g => g.Key)
            .Select(g => new RungCompute(g.Key, (int)g.First().Metrics.GetValueOrDefault(MetricNames.FidelitySteps), g.Count(), g.Sum(Seconds)))
            .ToList();
        return new SearchCompute(
            spent.Sum(Seconds),
            spent.Sum(r => r.Metrics.GetValueOrDefault(MetricNames.ComputeTrainSamples)),
            spent.Sum(r => r.Metrics.GetValueOrDefault(MetricNames.ComputeForwardSamples)),
            rungs);
    }

    /// <summary>One line, e.g. "compute: 812 slot-s, 2.30 M samples forward+backward, 0.41 M forward only; rungs 0 (0 steps): 41 in 120 s, ...".</summary>
    public string Describe()
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"compute: {SlotSeconds:F0} slot-s, {TrainSamples / 1e6:F2} M samples forward+backward, {ForwardSamples / 1e6:F2} M forward only");
        return Rungs.Count == 0
            ? line
            : line + "; by rung: " + string.Join(", ", Rungs.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Rung} ({r.FineTuneSteps} steps) {r.Evaluations} in {r.SlotSeconds:F0} s")));
    }

    private static double Seconds(EvaluationRecord r) => r.PhaseSeconds.GetValueOrDefault("total");
}

/// <summary>One rung's share of <see cref="SearchCompute"/>.</summary>
public sealed record RungCompute(int Rung, int FineTuneSteps, int Evaluations, double SlotSeconds);
