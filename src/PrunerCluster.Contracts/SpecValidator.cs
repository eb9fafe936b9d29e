using System.Globalization;

namespace PrunerCluster.Contracts;

/// <summary>
/// Structural validation of an <see cref="ExperimentSpec"/>; every error names the spec field. Checks that need the
/// evaluation backend (model and dataset availability) are the backend's.
/// </summary>
public static class SpecValidator
{
    public static IReadOnlyList<SpecError> Validate(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<SpecError>();
        if (string.IsNullOrWhiteSpace(spec.Name))
        {
            errors.Add(new("name", "must not be empty"));
        }

        if (string.IsNullOrWhiteSpace(spec.Backend))
        {
            errors.Add(new("backend", "must not be empty"));
        }

        if (string.IsNullOrWhiteSpace(spec.Model))
        {
            errors.Add(new("model", "must not be empty"));
        }

        if (string.IsNullOrWhiteSpace(spec.Dataset))
        {
            errors.Add(new("dataset", "must not be empty"));
        }

        SourceSpecValidator.Validate(spec, errors);
        ValidateObjectives(spec, errors);
        ValidateConstraints(spec, errors);
        ValidateSearch(spec.Search, errors);
        SearchOptionsValidator.Validate(spec, errors);
        ValidateBudget(spec.Budget, errors);
        if (!(spec.Weight > 0) || double.IsInfinity(spec.Weight))
        {
            errors.Add(new("weight", Invariant($"must be a positive finite number, got {spec.Weight}")));
        }

        if (spec.Priority is < 0 or > 10)
        {
            errors.Add(new("priority", Invariant($"must be in [0, 10], got {spec.Priority}")));
        }

        if (spec.MaxConcurrency < 0)
        {
            errors.Add(new("maxConcurrency", Invariant($"must be >= 0 (0 = no cap), got {spec.MaxConcurrency}")));
        }

        if (spec.Synthetic is { } synthetic)
        {
            ValidateSynthetic(synthetic, errors);
        }

        ValidateLifecycle(spec, errors);
        return errors;
    }

    private static void ValidateObjectives(ExperimentSpec spec, List<SpecError> errors)
    {
        if (spec.Objectives is null || spec.Objectives.Count == 0)
        {
            errors.Add(new("objectives", "at least one objective is required"));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Objectives.Count; i++)
        {
            var objective = spec.Objectives[i];
            var field = Invariant($"objectives[{i}].metric");
            if (!CheckMetric(objective.Metric, field, errors))
            {
                continue;
            }

            if (!seen.Add(objective.Metric))
            {
                errors.Add(new(field, $"metric '{objective.Metric}' is already an objective"));
            }

            if (!Enum.IsDefined(objective.Direction))
            {
                errors.Add(new(Invariant($"objectives[{i}].direction"), "must be minimize or maximize"));
            }
        }
    }

    private static void ValidateConstraints(ExperimentSpec spec, List<SpecError> errors)
    {
        if (spec.Constraints is null)
        {
            return;
        }

        var lower = new Dictionary<string, (double Value, int Index)>(StringComparer.Ordinal);
        var upper = new Dictionary<string, (double Value, int Index)>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Constraints.Count; i++)
        {
            var constraint = spec.Constraints[i];
            var field = Invariant($"constraints[{i}]");
            if (!CheckMetric(constraint.Metric, field + ".metric", errors))
            {
                continue;
            }

            if (!double.IsFinite(constraint.Threshold))
            {
                errors.Add(new(field + ".threshold", "must be a finite number"));
                continue;
            }

            var isFraction = MetricNames.Fractions.Contains(constraint.Metric, StringComparer.Ordinal);
            switch (constraint.Operator)
            {
                case ConstraintOperator.GreaterOrEqual:
                    if (isFraction && constraint.Threshold > 1)
                    {
                        errors.Add(new(field + ".threshold", Invariant($"'{constraint.Metric}' is a fraction in [0, 1]; {constraint.Metric} >= {constraint.Threshold} can never hold")));
                    }

                    if (!lower.TryGetValue(constraint.Metric, out var lo) || constraint.Threshold > lo.Value)
                    {
                        lower[constraint.Metric] = (constraint.Threshold, i);
                    }

                    break;
                case ConstraintOperator.LessOrEqual:
                    if (isFraction && constraint.Threshold < 0)
                    {
                        errors.Add(new(field + ".threshold", Invariant($"'{constraint.Metric}' is a fraction in [0, 1]; {constraint.Metric} <= {constraint.Threshold} can never hold")));
                    }

                    if (!upper.TryGetValue(constraint.Metric, out var hi) || constraint.Threshold < hi.Value)
                    {
                        upper[constraint.Metric] = (constraint.Threshold, i);
                    }

                    break;
                default:
                    errors.Add(new(field + ".operator", "must be <= or >="));
                    break;
            }
        }

        foreach (var (metric, lo) in lower)
        {
            if (upper.TryGetValue(metric, out var hi) && lo.Value > hi.Value)
            {
                errors.Add(new(
                    Invariant($"constraints[{lo.Index}]"),
                    Invariant($"contradicts constraints[{hi.Index}]: {metric} >= {lo.Value} and {metric} <= {hi.Value} cannot both hold")));
            }
        }
    }

    private static void ValidateSearch(SearchSettings? search, List<SpecError> errors)
    {
        if (search is null)
        {
            errors.Add(new("search", "is required"));
            return;
        }

        if (search.PopulationSize < 2)
        {
            errors.Add(new("search.populationSize", Invariant($"must be at least 2, got {search.PopulationSize}")));
        }

        if (!Enum.IsDefined(search.Mode))
        {
            errors.Add(new("search.mode", "must be steadyState or generational"));
        }

        if (search.CrossoverProbability is < 0 or > 1 || double.IsNaN(search.CrossoverProbability))
        {
            errors.Add(new("search.crossoverProbability", Invariant($"must be in [0, 1], got {search.CrossoverProbability}")));
        }

        if (search.MutationRate is { } rate && (rate is <= 0 or > 1 || double.IsNaN(rate)))
        {
            errors.Add(new("search.mutationRate", Invariant($"must be in (0, 1] or omitted for 1/L, got {rate}")));
        }
    }

    private static void ValidateBudget(BudgetSettings? budget, List<SpecError> errors)
    {
        if (budget is null || (budget.MaxEvaluations is null && budget.MaxGenerations is null && budget.WallClock is null))
        {
            errors.Add(new("budget", "set at least one of maxEvaluations, maxGenerations, wallClock"));
            return;
        }

        if (budget.MaxEvaluations is < 1)
        {
            errors.Add(new("budget.maxEvaluations", Invariant($"must be at least 1, got {budget.MaxEvaluations}")));
        }

        if (budget.MaxGenerations is < 1)
        {
            errors.Add(new("budget.maxGenerations", Invariant($"must be at least 1, got {budget.MaxGenerations}")));
        }

        if (budget.WallClock is { } wall && wall <= TimeSpan.Zero)
        {
            errors.Add(new("budget.wallClock", Invariant($"must be positive, got {wall}")));
        }
    }

    private static void ValidateLifecycle(ExperimentSpec spec, List<SpecError> errors)
    {
        if (spec.EvaluationDeadline is { } deadline && deadline <= TimeSpan.Zero)
        {
            errors.Add(new("evaluationDeadline", Invariant($"must be positive (e.g. \"00:30:00\"), got {deadline}")));
        }

        if (spec.MaxAttempts is { } attempts && attempts is < 1 or > 100)
        {
            errors.Add(new("maxAttempts", Invariant($"must be in [1, 100], got {attempts}")));
        }

        if (spec.DeviceClass is { } deviceClass && !DeviceClassName.IsValid(deviceClass))
        {
            errors.Add(new("deviceClass", $"must be lowercase letters, digits and '-' (e.g. \"cpu-x86-2c\", \"nvidia-h100\"), got '{deviceClass}'"));
        }
    }

    private static void ValidateSynthetic(SyntheticSettings synthetic, List<SpecError> errors)
    {
        for (var i = 0; i < synthetic.Faults.Count; i++)
        {
            var fault = synthetic.Faults[i];
            if (!(fault.MaskFraction is >= 0 and <= 1))
            {
                errors.Add(new(Invariant($"synthetic.faults[{i}].maskFraction"), Invariant($"must be in [0, 1], got {fault.MaskFraction}")));
            }

            if (fault.AttemptsPerSilo < 0)
            {
                errors.Add(new(Invariant($"synthetic.faults[{i}].attemptsPerSilo"), Invariant($"must be >= 0 (0 = every run), got {fault.AttemptsPerSilo}")));
            }
        }

        if (synthetic.Duration < TimeSpan.Zero)
        {
            errors.Add(new("synthetic.duration", "must not be negative"));
        }

        if (!(synthetic.DurationSpread >= 1) || double.IsInfinity(synthetic.DurationSpread))
        {
            errors.Add(new("synthetic.durationSpread", Invariant($"must be >= 1, got {synthetic.DurationSpread}")));
        }

        if (synthetic.SegmentBits is null || synthetic.SegmentBits.Count == 0 || synthetic.SegmentBits.Any(b => b < 1))
        {
            errors.Add(new("synthetic.segmentBits", "needs at least one segment, each with at least 1 bit"));
        }
    }

    private static bool CheckMetric(string? metric, string field, List<SpecError> errors)
    {
        if (string.IsNullOrWhiteSpace(metric))
        {
            errors.Add(new(field, "must name a metric"));
            return false;
        }

        if (MetricNames.IsKnown(metric))
        {
            return true;
        }

        var suggestion = ClosestMetric(metric);
        var hint = suggestion is null ? "." : $"; did you mean '{suggestion}'?";
        errors.Add(new(field, $"unknown metric '{metric}'{hint} Known metrics: {string.Join(", ", MetricNames.All)}"));
        return false;
    }

    /// <summary>Nearest known metric by edit distance, when close enough to be a typo.</summary>
    public static string? ClosestMetric(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var lowered = metric.Trim().ToLowerInvariant().Replace('-', '_').Replace(' ', '_');
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var known in MetricNames.All)
        {
            var distance = EditDistance(lowered, known);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = known;
            }
        }

        return best is not null && bestDistance <= Math.Max(2, best.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
