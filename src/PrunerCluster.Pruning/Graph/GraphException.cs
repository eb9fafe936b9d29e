namespace PrunerCluster.Pruning.Graph;

/// <summary>A model graph that cannot be built, analyzed or imported; the message names the node, its operator and what is supported.</summary>
public sealed class GraphException : Exception
{
    public GraphException()
    {
    }

    public GraphException(string message)
        : base(message)
    {
    }

    public GraphException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
