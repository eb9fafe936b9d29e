namespace PrunerCluster.Contracts;

/// <summary>
/// Why an evaluation did not succeed. Transient failures (silo death, deadline, out-of-memory, cancellation, a backend
/// crash) say nothing about the mask: they are retried elsewhere and never stored as the individual's outcome.
/// Deterministic failures (invalid mask, NaN loss) are a property of the mask and are stored and served like results.
/// </summary>
[GenerateSerializer, Alias("prunercluster.FailureKind")]
public enum FailureKind
{
    None = 0,
    Deterministic = 1,
    Transient = 2,
}
