namespace PrunerCluster.Contracts;

/// <summary>What a synthetic fault does to an evaluation.</summary>
[GenerateSerializer, Alias("prunercluster.SyntheticFaultKind")]
public enum SyntheticFaultKind
{
    /// <summary>Blocks until the evaluation's cancellation token fires (deadline or cancel).</summary>
    Hang = 0,

    /// <summary>Throws, as a native crash of the evaluation would.</summary>
    Crash = 1,

    /// <summary>Reports an out-of-memory failure.</summary>
    OutOfMemory = 2,
}

/// <summary>
/// Deterministic fault injection of the synthetic backend (tests only). A mask is affected when the unit value of its
/// SHA-256 hash is below <see cref="MaskFraction"/>; on each silo its first <see cref="AttemptsPerSilo"/> runs fault
/// (0 = every run).
/// </summary>
[GenerateSerializer, Immutable, Alias("prunercluster.SyntheticFault")]
public sealed record SyntheticFault
{
    [Id(0)] public SyntheticFaultKind Kind { get; init; }
    [Id(1)] public double MaskFraction { get; init; }
    [Id(2)] public int AttemptsPerSilo { get; init; }
}
