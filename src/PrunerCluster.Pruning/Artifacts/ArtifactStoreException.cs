namespace PrunerCluster.Pruning.Artifacts;

/// <summary>
/// The artifact store could not take an evaluation's weights (database unreachable, disk full): a failure of this attempt on
/// this silo, never of the mask, so it leaves the evaluator as an exception instead of a failed result and is retried.
/// </summary>
public sealed class ArtifactStoreException : Exception
{
    public ArtifactStoreException()
    {
    }

    public ArtifactStoreException(string message)
        : base(message)
    {
    }

    public ArtifactStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
