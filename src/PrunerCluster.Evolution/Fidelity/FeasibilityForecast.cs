namespace PrunerCluster.Evolution;

/// <summary>
/// Forecasts, for a result below the top rung, whether its genome can still meet the constraints at the top rung,
/// from evidence the ladder already holds. A constraint on a trained metric (an accuracy drop, say) is only judged at
/// the top rung, so below it every mask looks feasible, and the cheapest extremes, which no fine-tuning brings back,
/// keep breeding and climbing. The forecast assumes what the ladder itself assumes: a genome no better at rung k than
/// another, in every objective the rung's training changes, is no better at the top. A genome is forecast infeasible
/// when at least <see cref="FidelityLadderSpec.ForecastWitnesses"/> witnesses failed the top rung's constraints while
/// doing at least as well as it at its own rung; the forecast violation is the smallest of their top-rung violations.
/// </summary>
internal static class FeasibilityForecast
{
    /// <summary>
    /// The forecast violation (0 = no evidence against it) of a result at <paramref name="rung"/> with objectives
    /// <paramref name="minimized"/>, given each witness's minimized objectives at that rung and its top-rung violation.
    /// </summary>
    public static double Violation(FidelityLadderSpec spec, int rung, double[] minimized, IEnumerable<(double[] AtRung, double TopViolation)> witnesses)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(minimized);
        ArgumentNullException.ThrowIfNull(witnesses);
        if (spec.ForecastWitnesses == 0 || rung >= spec.Rungs - 1)
        {
            return 0;
        }

        var failed = witnesses
            .Where(w => w.TopViolation > 0 && AtLeastAsGood(spec, w.AtRung, minimized))
            .Select(w => w.TopViolation)
            .ToList();
        return failed.Count >= spec.ForecastWitnesses ? failed.Min() : 0;
    }

    private static bool AtLeastAsGood(FidelityLadderSpec spec, double[] witness, double[] candidate)
    {
        for (var k = 0; k < candidate.Length; k++)
        {
            if (spec.IsRungSensitive(k) && witness[k] > candidate[k])
            {
                return false;
            }
        }

        return true;
    }
}
