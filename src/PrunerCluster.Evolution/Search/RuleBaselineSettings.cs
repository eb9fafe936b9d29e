namespace PrunerCluster.Evolution;

/// <summary>Rule-baseline settings: the rule masks to propose, in order; plain data, serialized inside <see cref="RuleBaselineState"/>.</summary>
public sealed record RuleBaselineSettings
{
    /// <summary>Genomes (canonical text) proposed once each, in order; repeats after repair are proposed once.</summary>
    public IReadOnlyList<string> Genomes { get; init; } = [];

    /// <summary>Optional earlier stop (evaluations, wall clock); the baseline ends anyway once every genome is told. Hypervolume stagnation is refused.</summary>
    public TerminationSpec Termination { get; init; } = new();

    /// <summary>The seeds an NSGA-II run with <paramref name="settings"/> starts from (<see cref="SeedPopulation"/>), as an arm of their own, with its termination.</summary>
    public static RuleBaselineSettings FromSeeds(Problem problem, Nsga2Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new RuleBaselineSettings
        {
            Genomes = [.. SeedPopulation.Genomes(problem, settings).Select(g => g.ToCanonicalString()).Distinct(StringComparer.Ordinal)],
            Termination = settings.Termination with { HypervolumeStagnation = null },
        };
    }

    /// <summary>
    /// The one-rule baselines of a level encoding at each of <paramref name="keepRatios"/>: the uniform ladder (every layer
    /// keeps the ratio, <see cref="LevelInitialization"/>), a global importance threshold (network slimming) and LAMP
    /// (<see cref="RuleInitialization"/>), in that order per ratio; the unpruned genome first when <paramref name="includeFull"/>.
    /// </summary>
    public static RuleBaselineSettings ForRules(
        GenomeLayout layout,
        IReadOnlyDictionary<string, double[]> importance,
        IReadOnlyList<double> keepRatios,
        IReadOnlyList<double[]> keepFractions,
        bool includeFull = true)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(importance);
        ArgumentNullException.ThrowIfNull(keepRatios);
        ArgumentNullException.ThrowIfNull(keepFractions);
        var genomes = new List<Genome>();
        if (includeFull)
        {
            genomes.Add(Genome.Full(layout));
        }

        foreach (var ratio in keepRatios)
        {
            genomes.Add(LevelInitialization.Create(layout, 1 - ratio, keepFractions));
            genomes.Add(RuleInitialization.Create(layout, importance, PruningRule.GlobalThreshold, ratio, keepFractions));
            genomes.Add(RuleInitialization.Create(layout, importance, PruningRule.Lamp, ratio, keepFractions));
        }

        return new RuleBaselineSettings { Genomes = [.. genomes.Select(g => g.ToCanonicalString()).Distinct(StringComparer.Ordinal)] };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending setting.</summary>
    public void Validate(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var genomesSetting = nameof(Genomes);
        var terminationSetting = nameof(Termination);
        if (Genomes is null)
        {
            throw new ArgumentException("Genomes must not be null.", genomesSetting);
        }

        foreach (var text in Genomes)
        {
            try
            {
                _ = Genome.Parse(problem.Layout, text);
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"Genomes: '{text}' does not fit the genome layout: {e.Message}", genomesSetting, e);
            }
        }

        if (Termination is null)
        {
            throw new ArgumentException("Termination must not be null.", terminationSetting);
        }

        Termination.Validate();
        if (Termination.HypervolumeStagnation is not null)
        {
            throw new ArgumentException("Termination.HypervolumeStagnation is not supported by the rule baseline (it proposes a fixed set).", terminationSetting);
        }
    }
}
