namespace PrunerCluster.Evolution;

/// <summary>The whole state of a <see cref="RandomSearch"/> run; <see cref="RandomSearch.Restore"/> of it continues exactly like the uninterrupted run.</summary>
public sealed record RandomSearchState : ISearchState
{
    public const int CurrentVersion = 1;

    public string Algorithm { get; init; } = RandomSearch.AlgorithmName;

    public int Version { get; init; } = CurrentVersion;

    public required RandomSearchSettings Settings { get; init; }

    public required string LayoutHash { get; init; }

    public required IReadOnlyList<string> ObjectiveNames { get; init; }

    public required IReadOnlyList<ulong> RandomState { get; init; }

    public int Generation { get; init; }

    public bool Exhausted { get; init; }

    /// <summary>Genomes (canonical text) proposed before any random one, in order, not handed out yet.</summary>
    public IReadOnlyList<string> Queue { get; init; } = [];

    public required SearchBookState Book { get; init; }

    public string ToJson() => SearchStateJson.Write(this);

    public static RandomSearchState FromJson(string json) => SearchStateJson.Read<RandomSearchState>(json, RandomSearch.AlgorithmName, CurrentVersion);
}
