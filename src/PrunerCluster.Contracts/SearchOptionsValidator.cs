using System.Globalization;

namespace PrunerCluster.Contracts;

/// <summary>Checks the encoding, operator and final-recovery choices of a spec; each error names its field.</summary>
internal static class SearchOptionsValidator
{
    private static readonly string[] Selections = ["binaryTournament", "rouletteWheel"];
    private static readonly string[] Crossovers = ["uniform", "singlePoint", "twoPoint", "segmentWise", "arithmetic"];
    private static readonly string[] Mutations = ["bitFlip", "densityPreservingSwap", "segmentLevel"];

    public static void Validate(ExperimentSpec spec, List<SpecError> errors)
    {
        if (spec.Search is { } search)
        {
            if (GenomeEncodings.Canonical(search.Encoding) is null)
            {
                errors.Add(new("search.encoding", $"unknown encoding '{search.Encoding}'; expected one of {string.Join(", ", GenomeEncodings.All)}"));
            }

            if (search.KeepLevels is { } levels && levels is < 2 or > 64)
            {
                errors.Add(new("search.keepLevels", string.Create(CultureInfo.InvariantCulture, $"must be in [2, 64], got {levels}")));
            }

            if (search.MinChannels is { } minChannels && minChannels < 1)
            {
                errors.Add(new("search.minChannels", string.Create(CultureInfo.InvariantCulture, $"must be >= 1 (the narrowest width a layer keeps), got {minChannels}")));
            }

            ValidateLadder(spec, search, errors);
            ValidateAlgorithm(spec, search, errors);
            CheckName(search.Selection, Selections, "search.selection", errors);
            CheckName(search.Crossover, Crossovers, "search.crossover", errors);
            CheckName(search.Mutation, Mutations, "search.mutation", errors);
        }

        if (spec.FinalRecovery is { } recovery)
        {
            if (recovery.FineTuneSteps < 0)
            {
                errors.Add(new("finalRecovery.fineTuneSteps", string.Create(CultureInfo.InvariantCulture, $"must be >= 0, got {recovery.FineTuneSteps}")));
            }

            if (recovery.MaxMembers < 0)
            {
                errors.Add(new("finalRecovery.maxMembers", string.Create(CultureInfo.InvariantCulture, $"must be >= 0 (0 = all), got {recovery.MaxMembers}")));
            }

            if (recovery.MaxDropPoints is { } drop && !(drop >= 0 && double.IsFinite(drop)))
            {
                errors.Add(new("finalRecovery.maxDropPoints", string.Create(CultureInfo.InvariantCulture, $"must be a number of accuracy points >= 0, got {drop}")));
            }

            if (recovery.LearningRate is { } lr && !(lr > 0 && double.IsFinite(lr)))
            {
                errors.Add(new("finalRecovery.learningRate", string.Create(CultureInfo.InvariantCulture, $"must be a positive number, got {lr}")));
            }
        }
    }

    private static void ValidateLadder(ExperimentSpec spec, SearchSettings search, List<SpecError> errors)
    {
        if (search.PromotionEta is { } eta && eta is < 2 or > 64)
        {
            errors.Add(new("search.promotionEta", string.Create(CultureInfo.InvariantCulture, $"must be in [2, 64] (each rung promotes the best 1/eta), got {eta}")));
        }

        if (search.Endgame is { } endgame && !(endgame is >= 0 and <= 0.9))
        {
            errors.Add(new("search.endgame", string.Create(CultureInfo.InvariantCulture, $"must be a fraction of the budget in [0, 0.9] (0 = off), got {endgame}")));
        }

        if (search.Fidelities is not { } rungs)
        {
            return;
        }

        if (rungs.Count is 0 or > 16)
        {
            errors.Add(new("search.fidelities", string.Create(CultureInfo.InvariantCulture, $"must list 1 to 16 rungs, cheapest first, got {rungs.Count}")));
            return;
        }

        for (var i = 0; i < rungs.Count; i++)
        {
            var rung = rungs[i];
            if (rung is null)
            {
                errors.Add(new($"search.fidelities[{i}]", "must be an object such as {\"fineTuneSteps\": 100}"));
                continue;
            }

            if (rung.FineTuneSteps < 0)
            {
                errors.Add(new($"search.fidelities[{i}].fineTuneSteps", string.Create(CultureInfo.InvariantCulture, $"must be >= 0 (0 = BatchNorm recalibration only), got {rung.FineTuneSteps}")));
            }
            else if (i > 0 && rungs[i - 1] is { } below && rung.FineTuneSteps < below.FineTuneSteps)
            {
                errors.Add(new($"search.fidelities[{i}].fineTuneSteps", string.Create(CultureInfo.InvariantCulture, $"must not be below the previous rung's ({below.FineTuneSteps}): rungs go from the cheapest to the costliest, got {rung.FineTuneSteps}")));
            }

            if (rung.ValidationSamples is { } samples && samples < 1)
            {
                errors.Add(new($"search.fidelities[{i}].validationSamples", string.Create(CultureInfo.InvariantCulture, $"must be >= 1 (or omitted for evaluation.validationSamples), got {samples}")));
            }
        }

        if (spec.IsMultiFidelity && search.Mode != SearchMode.SteadyState)
        {
            errors.Add(new("search.mode", "a fidelity ladder (search.fidelities with 2 or more rungs) needs search.mode steadyState: promotions go out asynchronously, with no generation barrier"));
        }
    }

    private static void ValidateAlgorithm(ExperimentSpec spec, SearchSettings search, List<SpecError> errors)
    {
        var algorithm = SearchAlgorithms.Canonical(search.Algorithm);
        if (algorithm is null)
        {
            errors.Add(new("search.algorithm", $"unknown value '{search.Algorithm}'; expected one of {string.Join(", ", SearchAlgorithms.All)}"));
        }
        else if (algorithm != SearchAlgorithms.Nsga2 && spec.IsMultiFidelity)
        {
            errors.Add(new("search.algorithm", $"'{algorithm}' has no fidelity ladder; search.fidelities with 2 or more rungs needs {SearchAlgorithms.Nsga2}"));
        }
    }

    /// <summary>The canonical (camelCase) operator name for <paramref name="value"/>, case-insensitive; null when unknown.</summary>
    public static string? Canonical(string? value, IReadOnlyList<string> names) =>
        value is null ? null : names.FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase));

    private static void CheckName(string? value, string[] names, string field, List<SpecError> errors)
    {
        if (value is not null && Canonical(value, names) is null)
        {
            errors.Add(new(field, $"unknown value '{value}'; expected one of {string.Join(", ", names)}"));
        }
    }
}
