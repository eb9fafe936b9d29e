namespace PrunerCluster.Evolution;

/// <summary>NSGA-II settings; plain data, serialized inside <see cref="AlgorithmState"/>.</summary>
public sealed record Nsga2Settings
{
    public int PopulationSize { get; init; } = 20;

    public ulong Seed { get; init; } = 1;

    public DriverMode Mode { get; init; } = DriverMode.SteadyState;

    public double CrossoverProbability { get; init; } = 0.9;

    /// <summary>Per-gene mutation rate; null means 1 / (bits + integer genes).</summary>
    public double? MutationRate { get; init; }

    public CrossoverKind Crossover { get; init; } = CrossoverKind.Uniform;

    public MutationKind Mutation { get; init; } = MutationKind.BitFlip;

    public SelectionKind Selection { get; init; } = SelectionKind.BinaryTournament;

    /// <summary>Keep densities cycled through by random initialization, so the first population spans sparse to dense masks.</summary>
    public double[] InitialDensities { get; init; } = [0.3, 0.5, 0.7, 0.9];

    /// <summary>
    /// Null: random genomes draw integer genes uniformly. A value in [0, 1]: they draw them within +- this fraction of the
    /// gene range around the level matching the cycled density (<see cref="RandomInitialization.CreateCorrelated"/>),
    /// so level genomes spread over pruning strengths without one layer pruned far more than the rest.
    /// </summary>
    public double? InitialLevelSpread { get; init; }

    /// <summary>Importance rankings whose magnitude-pruning masks (one per keep ratio) enter the first population.</summary>
    public IReadOnlyList<SeedRanking>? SeedRankings { get; init; }

    /// <summary>Level fractions whose uniform-level genomes (<see cref="LevelInitialization"/>) enter the first population.</summary>
    public double[]? SeedLevelFractions { get; init; }

    /// <summary>Explicit genomes (canonical text) that enter the first population after the seeds above, e.g. one-rule baselines from <see cref="RuleInitialization"/>.</summary>
    public IReadOnlyList<string>? SeedGenomes { get; init; }

    /// <summary>
    /// Per segment (layout order), the fraction of its units each value of its first integer gene keeps, value 0 keeping
    /// the most. Null: a level fraction is a position in the gene range. Set: <see cref="SeedLevelFractions"/> and the
    /// random genomes' densities aim at keep fractions, each segment taking its nearest value, so one fraction means the
    /// same pruning in a segment with 2 values and one with 16 (level encodings whose rounding merged levels).
    /// </summary>
    public IReadOnlyList<double[]>? LevelKeepFractions { get; init; }

    /// <summary>Whether the unpruned genome (everything kept) is the first member of the first population.</summary>
    public bool IncludeFullGenome { get; init; } = true;

    /// <summary>How many offspring are bred in a row before giving up on finding one not evaluated before.</summary>
    public int MaxDuplicateRetries { get; init; } = 64;

    public TerminationSpec Termination { get; init; } = new() { MaxGenerations = 100 };

    /// <summary>Multi-fidelity ladder (asynchronous successive halving); the default is one rung, i.e. single fidelity.</summary>
    public FidelityLadderSpec Fidelity { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the offending setting.</summary>
    public void Validate()
    {
        Require(PopulationSize >= 2, nameof(PopulationSize), PopulationSize, "PopulationSize must be >= 2.");
        Require(double.IsFinite(CrossoverProbability) && CrossoverProbability is >= 0 and <= 1, nameof(CrossoverProbability), CrossoverProbability, "CrossoverProbability must be in [0, 1].");
        Require(MutationRate is null || (double.IsFinite(MutationRate.Value) && MutationRate.Value is >= 0 and <= 1), nameof(MutationRate), MutationRate, "MutationRate must be null (1/L) or in [0, 1].");
        Require(Enum.IsDefined(Mode), nameof(Mode), Mode, "Mode is not a known DriverMode.");
        Require(Enum.IsDefined(Crossover), nameof(Crossover), Crossover, "Crossover is not a known CrossoverKind.");
        Require(Enum.IsDefined(Mutation), nameof(Mutation), Mutation, "Mutation is not a known MutationKind.");
        Require(Enum.IsDefined(Selection), nameof(Selection), Selection, "Selection is not a known SelectionKind.");
        Require(InitialDensities is { Length: > 0 }, nameof(InitialDensities), null, "InitialDensities must hold at least one density.");
        foreach (var d in InitialDensities!)
        {
            Require(d is >= 0 and <= 1, nameof(InitialDensities), d, "InitialDensities must each be in [0, 1].");
        }

        Require(InitialLevelSpread is null || InitialLevelSpread.Value is >= 0 and <= 1, nameof(InitialLevelSpread), InitialLevelSpread, "InitialLevelSpread must be null or in [0, 1].");
        foreach (var f in SeedLevelFractions ?? [])
        {
            Require(f is >= 0 and <= 1, nameof(SeedLevelFractions), f, "SeedLevelFractions must each be in [0, 1].");
        }

        Require(MaxDuplicateRetries >= 1, nameof(MaxDuplicateRetries), MaxDuplicateRetries, "MaxDuplicateRetries must be >= 1.");
        Require(Termination is not null, nameof(Termination), null, "Termination must not be null.");
        Termination!.Validate();
        Require(Fidelity is not null, nameof(Fidelity), null, "Fidelity must not be null.");
        Fidelity!.Validate();
        Require(!Fidelity.IsMultiFidelity || Mode == DriverMode.SteadyState, nameof(Fidelity), Fidelity.Rungs, "A multi-fidelity ladder needs the steady-state driver (promotions go out asynchronously, with no generation barrier).");
    }

    /// <summary>Validation against a problem: seed rankings must name existing segments with matching lengths, reference points must match the objectives.</summary>
    public void Validate(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Validate();
        Require(Fidelity.RungSensitive is null || Fidelity.RungSensitive.Count == problem.ObjectiveCount, nameof(Fidelity), Fidelity.RungSensitive?.Count, $"Fidelity.RungSensitive must have one entry per objective ({problem.ObjectiveCount}).");
        foreach (var ranking in SeedRankings ?? [])
        {
            RankingInitialization.Validate(problem.Layout, ranking, nameof(SeedRankings));
        }

        LevelInitialization.ValidateKeepFractions(problem.Layout, LevelKeepFractions, nameof(LevelKeepFractions));
        foreach (var text in SeedGenomes ?? [])
        {
            try
            {
                _ = Genome.Parse(problem.Layout, text);
            }
            catch (FormatException e)
            {
                var parameter = nameof(SeedGenomes);
                throw new ArgumentException($"SeedGenomes: '{text}' does not fit the genome layout: {e.Message}", parameter, e);
            }
        }

        if (Termination.HypervolumeStagnation?.ReferencePoint is { } r && r.Length != problem.ObjectiveCount)
        {
            var parameter = $"{nameof(Termination)}.{nameof(TerminationSpec.HypervolumeStagnation)}.{nameof(HypervolumeStagnationSpec.ReferencePoint)}";
            throw new ArgumentException(
                $"Termination.HypervolumeStagnation.ReferencePoint has {r.Length} values, the problem has {problem.ObjectiveCount} objectives.",
                parameter);
        }
    }

    public double EffectiveMutationRate(GenomeLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return MutationRate ?? (1.0 / (layout.TotalBits + layout.TotalIntGenes));
    }

    private static void Require(bool condition, string parameter, object? actual, string message)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(parameter, actual, message);
        }
    }
}
