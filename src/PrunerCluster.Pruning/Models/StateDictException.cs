namespace PrunerCluster.Pruning.Models;

/// <summary>A PyTorch state_dict that cannot be read or does not fit the architecture; the message names the file and every problem.</summary>
public sealed class StateDictException : Exception
{
    public StateDictException()
    {
    }

    public StateDictException(string message)
        : base(message)
    {
    }

    public StateDictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
