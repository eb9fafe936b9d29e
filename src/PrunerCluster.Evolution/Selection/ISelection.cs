namespace PrunerCluster.Evolution;

public interface ISelection
{
    /// <summary>Index of the chosen parent in <paramref name="population"/> (non-empty).</summary>
    int Select(IReadOnlyList<SelectionInfo> population, RandomSource random);
}
