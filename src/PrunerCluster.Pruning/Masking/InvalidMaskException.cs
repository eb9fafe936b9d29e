namespace PrunerCluster.Pruning.Masking;

public sealed class InvalidMaskException : Exception
{
    public InvalidMaskException()
    {
    }

    public InvalidMaskException(string message)
        : base(message)
    {
    }

    public InvalidMaskException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
