namespace PrunerCluster.Evolution;

/// <summary>Random search settings; plain data, serialized inside <see cref="RandomSearchState"/>.</summary>
public sealed record RandomSearchSettings
{
    public ulong Seed { get; init; } = 1;

    /// <summary>Results counted as one generation (status, <see cref="TerminationSpec.MaxGenerations"/>); an NSGA-II arm's population size makes the two comparable.</summary>
    public int GenerationSize { get; init; } = 20;

    /// <summary>Whether the unpruned genome (everything kept) is proposed first, as NSGA-II's first population has it.</summary>
    public bool IncludeFullGenome { get; init; } = true;

    /// <summary>How many random genomes are drawn in a row before giving up on finding one not proposed before.</summary>
    public int MaxDuplicateRetries { get; init; } = 64;

    /// <summary>Generations, evaluations and wall clock; hypervolume stagnation is an NSGA-II criterion and is refused.</summary>
    public TerminationSpec Termination { get; init; } = new() { MaxEvaluations = 100 };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the offending setting.</summary>
    public void Validate()
    {
        if (GenerationSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(GenerationSize), GenerationSize, "GenerationSize must be >= 1.");
        }

        if (MaxDuplicateRetries < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDuplicateRetries), MaxDuplicateRetries, "MaxDuplicateRetries must be >= 1.");
        }

        if (Termination is null)
        {
            throw new ArgumentException("Termination must not be null.", nameof(Termination));
        }

        Termination.Validate();
        if (Termination.HypervolumeStagnation is not null)
        {
            throw new ArgumentException("Termination.HypervolumeStagnation is not supported by random search (set generations, evaluations or wall clock).", nameof(Termination));
        }
    }
}
