namespace PrunerCluster.Evolution;

/// <summary>The whole state of an <see cref="ISearchAlgorithm"/> run as plain data, written as JSON by <see cref="ToJson"/>.</summary>
public interface ISearchState
{
    /// <summary>The algorithm that wrote the state (<see cref="ISearchAlgorithm.Algorithm"/>).</summary>
    string Algorithm { get; }

    string ToJson();
}
